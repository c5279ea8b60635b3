// Every tool connector, built from the configuration. A tool without its credentials is still created
// (and reports available() === false), so the gateway starts and lists it as unavailable; a credential
// added later through the admin API makes it available without a restart.
import type { Config } from "../config.js";
import type { ApiKeySecret, GmailSecret } from "../credentials/secret-shapes.js";
import type { ConnectorDeps } from "./connector-deps.js";
import type { CredentialSource } from "./credential-source.js";
import { createGmailConnector } from "./gmail/gmail-connector.js";
import { createHttpConnector, type HttpConnectorDeps } from "./http/http-connector.js";
import { createOpenAiConnector } from "./openai/openai-connector.js";
import { createSerpApiConnector } from "./serpapi/serpapi-connector.js";
import type { ToolConnector } from "./types.js";

export interface CreateConnectorsDeps extends ConnectorDeps {
  /** Extra dependencies of the http tool (DNS resolver in tests, where allowPrivate connections are reported). */
  http?: Omit<HttpConnectorDeps, keyof ConnectorDeps>;
}

/** Where each tool's upstream secret comes from (the credential store in the gateway, fixed values in tests). */
export interface ToolCredentialSources {
  openai: CredentialSource<ApiKeySecret>;
  gmail: CredentialSource<GmailSecret>;
  serpapi: CredentialSource<ApiKeySecret>;
}

export function createConnectors(
  config: Pick<Config, "tools">,
  credentials: ToolCredentialSources,
  deps: CreateConnectorsDeps = {},
): Map<string, ToolConnector> {
  const { http, ...shared } = deps;
  const { tools } = config;
  const connectors: ToolConnector[] = [
    createOpenAiConnector(
      {
        baseUrl: tools.openai.baseUrl,
        credential: credentials.openai,
        resilience: tools.openai.resilience,
        tokenBound: {
          defaultMaxOutputTokens: tools.openai.defaultMaxOutputTokens,
          attachmentTokens: tools.openai.attachmentTokens,
        },
      },
      shared,
    ),
    createGmailConnector(
      {
        baseUrl: tools.gmail.baseUrl,
        tokenUrl: tools.gmail.tokenUrl,
        credential: credentials.gmail,
        resilience: tools.gmail.resilience,
      },
      shared,
    ),
    createSerpApiConnector(
      {
        baseUrl: tools.serpapi.baseUrl,
        credential: credentials.serpapi,
        resilience: tools.serpapi.resilience,
      },
      shared,
    ),
    createHttpConnector(tools.http, { ...shared, ...http }),
  ];
  return new Map(connectors.map((connector) => [connector.name, connector]));
}
