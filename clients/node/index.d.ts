// Types of the callhook serve client (index.mjs). Shapes are those of docs/api.md.

export type Json = { [key: string]: any };
export type Scenario = Json | string;

export interface Counters {
  planned: number;
  sent: number;
  delivered: number;
  failed: number;
  dropped: number;
  cancelled: number;
  retried: number;
  too_slow: number;
  in_flight: number;
  active_calls: number;
  p99_latency_ms: number | null;
}

export interface Expectation {
  name: string;
  limit: number;
  actual: number | null;
  met: boolean;
  text: string;
}

export interface Delivery {
  delivery: string;
  call: string;
  event: string;
  copy: number;
  outcome: 'delivered' | 'failed' | 'dropped' | 'cancelled' | 'rejected' | 'pending';
  reason: string | null;
  attempts: { attempt: number; status: number | null; error: string | null; verdict: string; latency_ms: number; sent_at_ms: number; response: string }[];
}

export interface Run {
  id: string;
  label: string | null;
  state: 'running' | 'finished' | 'interrupted' | 'failed';
  scenario: string;
  created_at: string;
  cancel_requested: boolean;
  elapsed_s: number;
  counters: Counters;
  exit_code: number | null;
  error?: string;
  urls: { self: string; report: string; journal: string; events: string };
}

export interface Explore {
  id: string;
  state: 'running' | 'finished' | 'failed';
  scenario: string;
  exit_code?: number;
  result?: Json;
  error?: string;
  urls: { self: string; failures: { scenario: string; journal: string }[] };
}

export interface Triggered {
  request: { method: string; url: string; event: string; headers: [string, string][]; body: string };
  response: { status: number; body: string; latency_ms: number } | null;
  error: string | null;
  verdict: 'delivered' | 'too_slow' | 'failed';
  timeout_ms: number;
  findings: Json[];
  accepted: boolean;
}

export interface RunOptions {
  seed?: number;
  speed?: 'max' | number;
  concurrency?: number;
  connections?: number;
  threads?: number;
  insecure?: boolean;
  set?: Json;
  add?: Json;
  ordering?: 'concurrent' | 'strict';
  grace_ms?: number;
  count?: number;
  rate?: number;
  duration?: number;
  shard?: string;
  start_at?: string;
  recordings_url?: string;
  recordings_listen?: string;
  max_duration_s?: number;
  label?: string;
  id_prefix?: string;
  [key: string]: any;
}

export interface ReplayOptions {
  target?: string;
  speed?: 'max' | number;
  only?: string;
  delivery?: Json;
  connections?: number;
  insecure?: boolean;
  grace_ms?: number;
  max_duration_s?: number;
  label?: string;
  id_prefix?: string;
}

export class CallhookError extends Error {
  status: number;
  problems: { pointer: string; message: string }[];
  body: string;
}

export class Callhook {
  constructor(url?: string, options?: { token?: string });
  url: string;
  token?: string;
  start(scenario: Scenario, target?: string, options?: RunOptions): Promise<Run>;
  run(scenario: Scenario, target?: string, options?: RunOptions & { wait?: boolean; timeoutS?: number }): Promise<Run>;
  get(runId: string): Promise<Run>;
  runs(filter?: { label?: string; state?: Run['state'] }): Promise<Run[]>;
  verify(runId: string, expect: Json): Promise<{ met: boolean; expectations: Expectation[] }>;
  deliveries(
    runId: string,
    filter?: { call?: string; event?: string; outcome?: string; limit?: number },
  ): Promise<{ count: number; deliveries: Delivery[] }>;
  info(): Promise<Json>;
  reset(): Promise<{ runs_forgotten: number; explores_forgotten: number }>;
  wait(runId: string, timeoutS?: number): Promise<Run>;
  cancel(runId: string): Promise<Run>;
  report(runId: string): Promise<Json>;
  report(runId: string, format: 'json'): Promise<Json>;
  report(runId: string, format: 'junit' | 'text' | 'html'): Promise<string>;
  replay(runId: string, options?: ReplayOptions & { wait?: boolean; timeoutS?: number }): Promise<Run>;
  merge(runIds: string[]): Promise<Json>;
  merge(runIds: string[], format: 'json'): Promise<Json>;
  merge(runIds: string[], format: 'junit' | 'text' | 'html'): Promise<string>;
  scenarios(): Promise<{ name: string; description: string }[]>;
  journal(runId: string): Promise<Json[]>;
  events(runId: string): AsyncGenerator<{ event: string; data: Json }>;
  explore(scenario: Scenario, options?: Json & { wait?: boolean; timeoutS?: number }): Promise<Explore>;
  failureScenario(exploreId: string, n: number): Promise<Json>;
  trigger(vendor: string, event: string, target: string, options?: Json): Promise<Triggered>;
  sample(vendor: string, event: string, query?: Record<string, string | number>): Promise<Json>;
  vendors(): Promise<Json[]>;
  healthy(): Promise<boolean>;
}

export class LocalServe {
  constructor(binary?: string, args?: string[], options?: { token?: string; startupS?: number });
  url: string;
  output: string[];
  start(): Promise<LocalServe>;
  client(): Callhook;
  stop(): Promise<void>;
}
