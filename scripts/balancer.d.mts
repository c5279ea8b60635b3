// Types for balancer.mjs.
export const BACKEND_HEADER: string;
export function startBalancer(options: { backends: string[]; port?: number; host?: string }): Promise<{
  url: string;
  port: number;
  close(): Promise<void>;
}>;
