import type { ClientRequest, IncomingMessage } from 'http';
import { errorMessage } from '../../core/basics';

/** MSAL error codes that hide a failed request to the authority behind a link to its docs. */
export const AUTHORITY_NETWORK_ERRORS: ReadonlySet<string> = new Set(['endpoints_resolution_error', 'openid_config_error', 'network_error']);

const MAX_BODY_BYTES = 64 * 1024;

/**
 * msal-node says only "endpoints_resolution_error" when it cannot read the authority's OpenID configuration.
 * Reads that document once and returns why it fails (TLS, DNS, an HTTP error with Entra's AADSTS text), or
 * undefined when it reads fine. No credentials are sent: the document is public.
 */
export function probeAuthorityMetadata(url: string, timeoutMs = 5_000): Promise<string | undefined> {
  // Not 'node:https': VS Code patches the module named 'https' for extensions (proxy settings, the operating system's
  // certificates), as it does for msal-node's own requests, so this probe sees the network exactly as MSAL does.
  // Required here, on failure only: the patched module is built on first require and would slow activation.
  const https = require('https') as typeof import('https');
  return new Promise((resolve) => {
    const onResponse = (response: IncomingMessage): void => {
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_BODY_BYTES) {
          response.destroy();
          resolve(`the answer is larger than ${MAX_BODY_BYTES / 1024} KiB, not an OpenID configuration`);
          return;
        }
        chunks.push(chunk);
      });
      response.on('error', (error) => resolve(describeNetworkError(error)));
      response.on('end', () => resolve(describeAnswer(response.statusCode ?? 0, Buffer.concat(chunks).toString('utf8'))));
    };
    let request: ClientRequest;
    try {
      request = https.get(url, { headers: { accept: 'application/json' }, timeout: timeoutMs }, onResponse);
    } catch (error: unknown) {
      // An authority host that is not an https URL fails before any request is made.
      resolve(errorMessage(error));
      return;
    }
    request.on('timeout', () => request.destroy(new Error(`no answer within ${timeoutMs / 1000} s`)));
    request.on('error', (error) => resolve(describeNetworkError(error)));
  });
}

function describeNetworkError(error: Error): string {
  const code = (error as NodeJS.ErrnoException).code;
  return code && !error.message.includes(code) ? `${error.message} (${code})` : error.message;
}

function describeAnswer(status: number, body: string): string | undefined {
  let json: Record<string, unknown> | undefined;
  try {
    json = JSON.parse(body) as Record<string, unknown>;
  } catch {
    json = undefined;
  }
  if (status === 200 && typeof json?.token_endpoint === 'string') return undefined;
  // Entra's error answers carry the AADSTS text first; the trace and correlation ids follow on later lines.
  const description = typeof json?.error_description === 'string' ? json.error_description.split(/\r?\n/)[0] : undefined;
  if (status !== 200) return `HTTP ${status}${description ? `: ${description}` : ''}`;
  return 'the answer is not an OpenID configuration (no token_endpoint)';
}
