/**
 * What DPoP (RFC 9449) adds, in-process over loopback HTTP: to a renewal (the refresh
 * grant through openid-client, with the session key's proof) and to a call to the notes
 * API (our proof, and the API checking it). Each pair alternates rounds of bearer and DPoP
 * so that drift on a shared machine lands on both sides.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, SignJWT } from 'jose';
import * as client from 'openid-client';
import { dpopOption, newDpopKey, resourceProof } from '../../lib/auth/idp/dpop';
import { createNotesApi } from '../../resource/handler';
import { NotesStore } from '../../resource/notes-store';
import { createTokenVerifier } from '../../resource/verify-token';

export interface DpopCost {
  /** Microseconds per operation, bearer and DPoP, medians over the rounds. */
  readonly renewal: { readonly bearerUs: number; readonly dpopUs: number };
  readonly apiCall: { readonly bearerUs: number; readonly dpopUs: number };
  /** Of the API call's extra: making the proof, our side alone (the rest is the API checking it). */
  readonly proofUs: number;
}

const ROUNDS = 6;
const AUDIENCE = 'urn:renewal:notes';

function listen(server: Server): Promise<string> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));
}

function drain(req: IncomingMessage): Promise<void> {
  return new Promise((resolve) => {
    req.resume();
    req.on('end', resolve);
  });
}

function json(res: ServerResponse, body: unknown): void {
  res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(body));
}

async function perOp(ops: number, op: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < ops; i++) await op();
  return ((performance.now() - start) * 1000) / ops;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** Alternates rounds of `a` and `b`; the median µs/op of each. */
async function alternate(ops: number, a: () => Promise<unknown>, b: () => Promise<unknown>): Promise<[number, number]> {
  await perOp(ops / 4, a);
  await perOp(ops / 4, b);
  const as: number[] = [];
  const bs: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    as.push(await perOp(ops, a));
    bs.push(await perOp(ops, b));
  }
  return [median(as), median(bs)];
}

export async function dpopCost(ops = 200): Promise<DpopCost> {
  const signing = await generateKeyPair('RS256', { extractable: true });
  const jwks = { keys: [{ ...(await exportJWK(signing.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' }] };
  let issuer = '';
  // A token endpoint that answers every refresh at once, bound when asked with a proof.
  const idp = createServer(async (req, res) => {
    await drain(req);
    if (req.url === '/jwks') return json(res, jwks);
    if (req.url === '/.well-known/openid-configuration') return json(res, { issuer, token_endpoint: `${issuer}/token`, jwks_uri: `${issuer}/jwks` });
    json(res, { access_token: 'at', token_type: req.headers.dpop ? 'DPoP' : 'Bearer', expires_in: 60, refresh_token: 'rt' });
  });
  issuer = await listen(idp);
  const api = createServer(createNotesApi({ verifier: createTokenVerifier(issuer, AUDIENCE, 'notes'), store: new NotesStore() }));
  const apiUrl = await listen(api);
  try {
    const config = new client.Configuration({ issuer, token_endpoint: `${issuer}/token` }, 'bench', 'bench-secret');
    client.allowInsecureRequests(config);
    const key = await newDpopKey();
    const bound = await dpopOption(config, key);
    const [renewalBearer, renewalDpop] = await alternate(
      ops,
      () => client.refreshTokenGrant(config, 'rt'),
      () => client.refreshTokenGrant(config, 'rt', undefined, bound),
    );

    const accessToken = (cnf?: { jkt: string }) =>
      new SignJWT({ scope: 'notes', ...(cnf ? { cnf } : {}) })
        .setProtectedHeader({ alg: 'RS256', kid: 'k1', typ: 'at+jwt' })
        .setIssuer(issuer)
        .setAudience(AUDIENCE)
        .setSubject('bench')
        .setIssuedAt()
        .setExpirationTime('10m')
        .sign(signing.privateKey);
    const bearerToken = await accessToken();
    const boundToken = await accessToken({ jkt: await calculateJwkThumbprint({ kty: key.kty, crv: key.crv, x: key.x, y: key.y }) });
    const notes = new URL(`${apiUrl}/notes`);
    const call = async (headers: Record<string, string>) => {
      const response = await fetch(notes, { headers });
      if (!response.ok) throw new Error(`the notes API answered ${response.status}`);
      await response.arrayBuffer();
    };
    const [apiBearer, apiDpop] = await alternate(
      ops,
      () => call({ authorization: `Bearer ${bearerToken}` }),
      async () => call({ authorization: `DPoP ${boundToken}`, dpop: await resourceProof(config, key, 'GET', notes, boundToken) }),
    );
    const proofRounds: number[] = [];
    for (let round = 0; round < ROUNDS; round++) proofRounds.push(await perOp(ops, () => resourceProof(config, key, 'GET', notes, boundToken)));
    const proofUs = median(proofRounds);
    return { renewal: { bearerUs: renewalBearer, dpopUs: renewalDpop }, apiCall: { bearerUs: apiBearer, dpopUs: apiDpop }, proofUs };
  } finally {
    idp.close();
    api.close();
  }
}
