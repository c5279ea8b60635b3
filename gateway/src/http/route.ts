// One schema per route: the same zod objects validate requests here and
// generate the OpenAPI document (openapi.ts), from which the SDK types are made.
import type { Request, Response } from "express";
import type { z } from "zod";
import { GatewayError } from "../errors.js";
import { parseJsonBody } from "./raw-body.js";

export type RouteAuth = "none" | "admin" | "signed" | "metrics";
export type HttpMethod = "get" | "post" | "put" | "patch" | "delete";

export interface ResponseSpec {
  description: string;
  schema?: z.ZodType;
  contentType?: string;
}

export interface RouteSpec<
  TBody extends z.ZodType | undefined = undefined,
  TQuery extends z.ZodType | undefined = undefined,
  TParams extends z.ZodType | undefined = undefined,
> {
  method: HttpMethod;
  /** OpenAPI path template, e.g. `/admin/agents/{id}`. */
  path: string;
  operationId: string;
  summary: string;
  tag: string;
  auth: RouteAuth;
  body?: TBody;
  query?: TQuery;
  params?: TParams;
  responses: Record<number, ResponseSpec>;
  /** Errors may be the upstream's own, forwarded in its format, as well as the gateway's problems. */
  forwardsUpstream?: boolean;
}

type Out<T> = T extends z.ZodType ? z.output<T> : undefined;

export interface RouteContext<TBody, TQuery, TParams> {
  body: TBody;
  query: TQuery;
  params: TParams;
  req: Request;
  res: Response;
}

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface Route<
  TBody extends z.ZodType | undefined = z.ZodType | undefined,
  TQuery extends z.ZodType | undefined = z.ZodType | undefined,
  TParams extends z.ZodType | undefined = z.ZodType | undefined,
> extends RouteSpec<TBody, TQuery, TParams> {
  /** Returns a reply to send as JSON, or undefined when it wrote the response itself (streams). */
  handle(ctx: RouteContext<Out<TBody>, Out<TQuery>, Out<TParams>>): Promise<Reply | undefined>;
}

/** Keeps the handler's types tied to its schemas. */
export function defineRoute<
  TBody extends z.ZodType | undefined = undefined,
  TQuery extends z.ZodType | undefined = undefined,
  TParams extends z.ZodType | undefined = undefined,
>(route: Route<TBody, TQuery, TParams>): Route {
  return route as unknown as Route;
}

/** `/admin/agents/{id}` → `/admin/agents/:id` */
export function expressPath(template: string): string {
  return template.replace(/\{([A-Za-z0-9_]+)\}/g, ":$1");
}

function validate<T extends z.ZodType>(schema: T, value: unknown, where: string): z.output<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const errors = result.error.issues.map((issue) => ({
    field: [where, ...issue.path.map(String)].join("."),
    message: issue.message,
  }));
  const first = errors[0]!;
  throw new GatewayError("invalid_request", `${first.field}: ${first.message}`, { extensions: { errors } });
}

/** Validates params, query and body against the route's schemas and runs its handler. */
export async function runRoute(route: Route, req: Request, res: Response): Promise<void> {
  const params = route.params ? validate(route.params, req.params, "params") : undefined;
  const query = route.query ? validate(route.query, req.query ?? {}, "query") : undefined;
  let body: unknown;
  if (route.body) {
    body = validate(route.body, parseJsonBody(req, res) ?? {}, "body");
  } else if (res.locals.rawBody && route.method !== "get" && route.auth === "admin") {
    throw new GatewayError("invalid_request", "this route takes no request body");
  }
  const reply = await route.handle({ body, query, params, req, res } as RouteContext<never, never, never>);
  if (!reply) return;
  for (const [name, value] of Object.entries(reply.headers ?? {})) res.setHeader(name, value);
  res.status(reply.status);
  if (reply.body === undefined) res.end();
  else res.json(reply.body);
}
