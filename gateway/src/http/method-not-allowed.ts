import type { NextFunction, Request, RequestHandler, Response } from "express";
import { GatewayError } from "../errors.js";
import type { HttpMethod } from "./route.js";

/**
 * For each path the gateway serves, the methods it serves it with, as the `Allow` value
 * (RFC 9110 §15.5.6): GET implies HEAD, which Express answers for every GET route.
 */
export function allowedMethodsByPath(
  routes: ReadonlyArray<{ method: HttpMethod; path: string }>,
): Map<string, string> {
  const byPath = new Map<string, Set<string>>();
  for (const { method, path } of routes) {
    const methods = byPath.get(path) ?? new Set<string>();
    methods.add(method.toUpperCase());
    if (method === "get") methods.add("HEAD");
    byPath.set(path, methods);
  }
  return new Map([...byPath].map(([path, methods]) => [path, [...methods].sort().join(", ")]));
}

/** Mounted after a path's own routes: any method that reached it is one the path does not serve. */
export function methodNotAllowed(allow: string): RequestHandler {
  return function refuseMethod(req: Request, _res: Response, next: NextFunction) {
    next(
      new GatewayError("method_not_allowed", `${req.method} is not served here; use ${allow}`, {
        headers: { Allow: allow },
      }),
    );
  };
}
