import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local IdP for idp/'s tests: discovery, a JWKS and a token endpoint whose answers each
 * test chooses. Listens on 127.0.0.1 at a free port.
 */
export interface LocalIdp {
  readonly issuer: string;
  close(): void;
}

export interface LocalIdpAnswers {
  jwks(res: ServerResponse): void;
  token(res: ServerResponse): void | Promise<void>;
  /** When given, answers the token endpoint instead of `token`, with the request's form and headers. */
  tokenRequest?(res: ServerResponse, form: URLSearchParams, headers: IncomingHttpHeaders): void;
  /** Published (userinfo_endpoint) only when given; called with the request's Authorization header, and all its headers. */
  userinfo?(res: ServerResponse, authorization: string | undefined, headers: IncomingHttpHeaders): void;
  /** A pushed authorization request endpoint (RFC 9126), published only when given; called with the form it was sent. */
  par?(res: ServerResponse, form: URLSearchParams, authorization: string | undefined): void;
  /** A revocation endpoint (RFC 7009), published only when given; called with the form it was sent. */
  revocation?(res: ServerResponse, form: URLSearchParams): void;
  /** More discovery metadata, or other values, read at each discovery request. */
  metadata?(): Record<string, unknown>;
}

export function json(res: ServerResponse, body: unknown, status = 200, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
}

function readForm(req: IncomingMessage, then: (form: URLSearchParams) => void): void {
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (chunk: string) => (body += chunk));
  req.on('end', () => then(new URLSearchParams(body)));
}

export async function startLocalIdp(answers: LocalIdpAnswers): Promise<LocalIdp> {
  let issuer = '';
  const server = createServer((req, res) => {
    req.resume();
    if (req.url === '/.well-known/openid-configuration') {
      return json(res, {
        issuer,
        authorization_endpoint: `${issuer}/auth`,
        token_endpoint: `${issuer}/token`,
        jwks_uri: `${issuer}/jwks`,
        id_token_signing_alg_values_supported: ['RS256'],
        token_endpoint_auth_methods_supported: ['client_secret_basic'],
        ...(answers.userinfo ? { userinfo_endpoint: `${issuer}/userinfo` } : {}),
        ...(answers.par ? { pushed_authorization_request_endpoint: `${issuer}/par` } : {}),
        ...(answers.revocation ? { revocation_endpoint: `${issuer}/revoke` } : {}),
        ...answers.metadata?.(),
      });
    }
    if (req.url === '/par' && answers.par) {
      const par = answers.par;
      return readForm(req, (form) => par(res, form, req.headers.authorization));
    }
    if (req.url === '/revoke' && answers.revocation) {
      const revocation = answers.revocation;
      return readForm(req, (form) => revocation(res, form));
    }
    if (req.url === '/userinfo' && answers.userinfo) return answers.userinfo(res, req.headers.authorization, req.headers);
    if (req.url === '/jwks') return answers.jwks(res);
    if (req.url === '/token' && answers.tokenRequest) {
      const answer = answers.tokenRequest;
      return readForm(req, (form) => answer(res, form, req.headers));
    }
    if (req.url === '/token') return void answers.token(res);
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    issuer,
    close() {
      server.closeAllConnections();
      server.close();
    },
  };
}
