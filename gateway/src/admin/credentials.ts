// Admin API for upstream credentials: create, list, get, rotate, activate (roll
// back or forward) and delete. Secrets go in and never come out: answers and the
// audit trail carry only version numbers and fingerprints.
import type { AuditLog } from "../audit/audit-log.js";
import type { Credentials, CredentialView } from "../credentials/credentials.js";
import { defineRoute, type Route } from "../http/route.js";
import {
  activateCredentialBody,
  createCredentialBody,
  credentialListSchema,
  credentialNameParams,
  credentialSchema,
  rotateCredentialBody,
} from "../schemas/credentials.js";

export interface CredentialRoutesDeps {
  credentials: Credentials;
  audit: AuditLog;
}

const ACTOR = "admin";

const auditDetails = (view: CredentialView) => ({
  tool: view.tool,
  version: view.activeVersion,
  fingerprint: view.fingerprint,
});

export function credentialRoutes({ credentials, audit }: CredentialRoutesDeps): Route[] {
  const responses = { 200: { description: "The credential (never its secret)", schema: credentialSchema } };
  return [
    defineRoute({
      method: "post",
      path: "/admin/credentials",
      operationId: "createCredential",
      summary: "Store a named upstream credential for a tool (version 1, active)",
      tag: "admin",
      auth: "admin",
      body: createCredentialBody,
      responses: {
        201: { description: "The credential (never its secret)", schema: credentialSchema },
        409: { description: "A credential of that name exists" },
      },
      async handle({ body, res }) {
        const view = await credentials.create({
          name: body.name,
          tool: body.tool,
          secret: body.secret,
          description: body.description ?? null,
        });
        await audit.record(res, {
          actor: ACTOR,
          action: "credential.created",
          target: view.name,
          details: auditDetails(view),
        });
        return {
          status: 201,
          body: view,
          headers: { Location: `/admin/credentials/${encodeURIComponent(view.name)}` },
        };
      },
    }),
    defineRoute({
      method: "get",
      path: "/admin/credentials",
      operationId: "listCredentials",
      summary: "Every credential, by name (fingerprints only)",
      tag: "admin",
      auth: "admin",
      responses: { 200: { description: "Credentials", schema: credentialListSchema } },
      async handle() {
        return { status: 200, body: { items: await credentials.list() } };
      },
    }),
    defineRoute({
      method: "get",
      path: "/admin/credentials/{name}",
      operationId: "getCredential",
      summary: "One credential, its versions and which is active",
      tag: "admin",
      auth: "admin",
      params: credentialNameParams,
      responses,
      async handle({ params }) {
        return { status: 200, body: await credentials.get(params.name) };
      },
    }),
    defineRoute({
      method: "put",
      path: "/admin/credentials/{name}",
      operationId: "rotateCredential",
      summary: "Rotate: store a new secret as the next version, active for the next call (no restart)",
      tag: "admin",
      auth: "admin",
      params: credentialNameParams,
      body: rotateCredentialBody,
      responses,
      async handle({ params, body, res }) {
        const view = await credentials.rotate(params.name, body.secret);
        await audit.record(res, {
          actor: ACTOR,
          action: "credential.rotated",
          target: view.name,
          details: auditDetails(view),
        });
        return { status: 200, body: view };
      },
    }),
    defineRoute({
      method: "post",
      path: "/admin/credentials/{name}/activate",
      operationId: "activateCredential",
      summary: "Make an earlier or later version active (roll back or forward)",
      tag: "admin",
      auth: "admin",
      params: credentialNameParams,
      body: activateCredentialBody,
      responses,
      async handle({ params, body, res }) {
        const view = await credentials.activate(params.name, body.version);
        await audit.record(res, {
          actor: ACTOR,
          action: "credential.activated",
          target: view.name,
          details: auditDetails(view),
        });
        return { status: 200, body: view };
      },
    }),
    defineRoute({
      method: "delete",
      path: "/admin/credentials/{name}",
      operationId: "deleteCredential",
      summary: "Delete a credential and every version of its secret",
      tag: "admin",
      auth: "admin",
      params: credentialNameParams,
      responses: { 204: { description: "Deleted" } },
      async handle({ params, res }) {
        const view = await credentials.delete(params.name);
        await audit.record(res, {
          actor: ACTOR,
          action: "credential.deleted",
          target: view.name,
          details: { tool: view.tool, versions: view.versions.length },
        });
        return { status: 204 };
      },
    }),
  ];
}
