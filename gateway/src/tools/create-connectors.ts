// Every tool connector, built from the configuration. A tool without its credentials is still created
// (and reports available() === false), so the gateway starts and lists it as unavailable.
import type { Config } from "../config.js";
import type { ConnectorDeps } from "./connector-deps.js";
import { createGmailConnector } from "./gmail/gmail-connector.js";
import { createHttpConnector, type HttpConnectorDeps } from "./http/http-connector.js";
import { createOpenAiConnector } from "./openai/openai-connector.js";
import { createSerpApiConnector } from "./serpapi/serpapi-connector.js";
import type { ToolConnector } from "./types.js";

export interface CreateConnectorsDeps extends ConnectorDeps {
  /** Extra dependencies of the http tool (DNS resolver in tests, where allowPrivate connections are reported). */
  http?: Omit<HttpConnectorDeps, keyof ConnectorDeps>;
}

export function createConnectors(
  config: Pick<Config, "tools" | "secrets">,
  deps: CreateConnectorsDeps = {},
): Map<string, ToolConnector> {
  const { http, ...shared } = deps;
  const { tools, secrets } = config;
  const connectors: ToolConnector[] = [
    createOpenAiConnector(
      { baseUrl: tools.openai.baseUrl, apiKey: secrets.openaiApiKey, resilience: tools.openai.resilience },
      shared,
    ),
    createGmailConnector(
      {
        baseUrl: tools.gmail.baseUrl,
        tokenUrl: tools.gmail.tokenUrl,
        clientId: secrets.gmailClientId,
        clientSecret: secrets.gmailClientSecret,
        refreshToken: secrets.gmailRefreshToken,
        resilience: tools.gmail.resilience,
      },
      shared,
    ),
    createSerpApiConnector(
      { baseUrl: tools.serpapi.baseUrl, apiKey: secrets.serpapiApiKey, resilience: tools.serpapi.resilience },
      shared,
    ),
    createHttpConnector(tools.http, { ...shared, ...http }),
  ];
  return new Map(connectors.map((connector) => [connector.name, connector]));
}
