// The ladder: each rung names the stages (the handlers' function names in app.ts's chain)
// it adds to the rung below. Rung 0 is the bare pass-through.
export const RUNGS = [
  { name: "bare pass-through", adds: [] },
  {
    name: "+ gateway app: routes, request id, access log, metrics",
    adds: ["requestContextMiddleware", "refuseFragmentInTarget", "logRequest", "observeRequest"],
  },
  // The signature stage is two handlers: the precheck before the body is read, the full check after.
  { name: "+ precheckSignature, verifySignature", adds: ["precheckSignature", "verifySignature"] },
  { name: "+ resolveAgent, limitAgent", adds: ["resolveAgent", "limitAgent"] },
  { name: "+ resolveToolCall, checkToken", adds: ["resolveToolCall", "checkToken"] },
  { name: "+ authorize (policy, decision record)", adds: ["authorize"] },
  { name: "+ limit, reserveBudget, settle (= full)", adds: ["limit", "reserveBudget", "settle"] },
];
