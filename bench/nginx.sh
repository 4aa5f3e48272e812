# Sourced by the benchmark scripts: start_nginx WORKDIR starts one nginx
# worker answering 204 on free loopback ports, keep-alive connections never
# closed, over http and over https (a P-256 certificate for localhost, signed
# by itself), and sets nginx_pid, port, tls_port, url and tls_url.
# wrk_post_script FILE BODY writes a wrk script POSTing BODY as JSON.
# bench_receiver CALLHOOK does all of it for a benchmark: a temporary folder
# ($work, removed with nginx on exit), nginx started there, and
# $work/post.lua POSTing $body, the body callhook sends (a Voiceflow
# runtime.call.end).
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

start_nginx() {
  local work=$1
  port=$(free_port)
  tls_port=$(free_port)
  mkdir -p "$work/nginx"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj /CN=localhost \
    -keyout "$work/nginx/key.pem" -out "$work/nginx/cert.pem" 2>/dev/null
  cat > "$work/nginx/nginx.conf" <<CONF
worker_processes 1;
error_log $work/nginx/error.log;
pid $work/nginx/nginx.pid;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $work/nginx;
  keepalive_requests 100000000;
  server { listen 127.0.0.1:$port; location / { return 204; } }
  server {
    listen 127.0.0.1:$tls_port ssl;
    ssl_certificate $work/nginx/cert.pem;
    ssl_certificate_key $work/nginx/key.pem;
    location / { return 204; }
  }
}
CONF
  nginx -c "$work/nginx/nginx.conf" -g 'daemon off;' &
  nginx_pid=$!
  for _ in $(seq 50); do (echo > /dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.1; done
  url="http://127.0.0.1:$port/webhooks"
  tls_url="https://127.0.0.1:$tls_port/webhooks"
}

wrk_post_script() {
  python3 - "$2" > "$1" <<'PY'
import json, sys
print('wrk.method = "POST"')
print('wrk.headers["Content-Type"] = "application/json"')
print('wrk.body = ' + json.dumps(sys.argv[1]))
PY
}

bench_receiver() {
  work=$(mktemp -d)
  nginx_pid=""
  trap 'if [[ -n "$nginx_pid" ]]; then kill "$nginx_pid" 2>/dev/null; fi; rm -rf "$work"' EXIT
  start_nginx "$work"
  body=$("$1" sample voiceflow runtime.call.end)
  wrk_post_script "$work/post.lua" "$body"
}
