// Signs every request an axios instance sends. Request interceptors run before axios
// serializes the body, so the body is serialized here, signed, and sent as those exact
// bytes (axios's own transformRequest is bypassed for signed requests).
import type { AxiosInstance, InternalAxiosRequestConfig } from "axios";
import { utf8 } from "./encoding.js";
import { type SigningKey, type SignOptions, signRequest } from "./httpsig/sign.js";
import { assertSigningKey } from "./signed-fetch.js";

/** Adds the signing interceptor; returns its id for `instance.interceptors.request.eject(id)`. */
export function signAxiosRequests(
  instance: AxiosInstance,
  key: SigningKey,
  options: Pick<SignOptions, "label" | "tag" | "digestAlgorithm"> = {},
): number {
  assertSigningKey(key);
  if (typeof instance?.interceptors?.request?.use !== "function") {
    throw new TypeError("signAxiosRequests needs an axios instance");
  }
  return instance.interceptors.request.use(async function signAxiosRequest(
    config: InternalAxiosRequestConfig,
  ) {
    const url = instance.getUri(config);
    if (!/^https?:\/\//i.test(url)) throw new TypeError(`cannot sign the relative URL ${url}: set baseURL`);
    const body = serializeBody(config);
    const method = (config.method ?? "get").toUpperCase();
    const headers = config.headers.toJSON(true) as Record<string, string>;
    const signature = await signRequest({ method, url, headers, body }, key, options);
    for (const [name, value] of Object.entries(signature)) config.headers.set(name, value);
    // Send exactly what was signed: the resolved URL with params already in it, and the bytes.
    config.url = url;
    config.baseURL = undefined;
    config.params = undefined;
    config.allowAbsoluteUrls = true;
    if (body !== null) {
      config.data = body.slice().buffer;
      config.transformRequest = [(data: unknown) => data];
    }
    return config;
  });
}

function serializeBody(config: InternalAxiosRequestConfig): Uint8Array | null {
  const data: unknown = config.data;
  if (data === undefined || data === null) return null;
  if (typeof data === "string") return utf8(data);
  if (data instanceof Uint8Array) return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (data instanceof URLSearchParams) {
    if (!config.headers.getContentType()) {
      config.headers.setContentType("application/x-www-form-urlencoded;charset=utf-8");
    }
    return utf8(data.toString());
  }
  const isStream = typeof (data as { pipe?: unknown }).pipe === "function";
  if (
    (typeof FormData !== "undefined" && data instanceof FormData) ||
    (typeof Blob !== "undefined" && data instanceof Blob) ||
    isStream
  ) {
    throw new TypeError(
      "signed axios requests need a string, bytes or a JSON value as body (not FormData, Blob or a stream)",
    );
  }
  if (!config.headers.getContentType()) config.headers.setContentType("application/json");
  return utf8(JSON.stringify(data));
}
