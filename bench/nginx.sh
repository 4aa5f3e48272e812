# Sourced by the benchmark scripts: start_nginx WORKDIR starts one nginx
# worker answering 204 on a free loopback port, keep-alive connections never
# closed, and sets nginx_pid, port and url (http://127.0.0.1:PORT/webhooks).
start_nginx() {
  local work=$1
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  mkdir -p "$work/nginx"
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
}
CONF
  nginx -c "$work/nginx/nginx.conf" -g 'daemon off;' &
  nginx_pid=$!
  for _ in $(seq 50); do (echo > /dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.1; done
  url="http://127.0.0.1:$port/webhooks"
}
