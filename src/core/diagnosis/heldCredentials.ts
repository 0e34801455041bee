import type { Diagnosis } from './diagnose';
import { sortFindings, type Finding } from './finding';

/**
 * Findings that hold whatever credential is sent: the host, its TLS and the path are the same for a client with the
 * key and one without (APIM matches the API and operation before it checks the subscription), so a keyless probe
 * still proves them.
 */
const CREDENTIAL_INDEPENDENT: ReadonlySet<string> = new Set(['net.dns', 'net.tls', 'net.timeout', 'net.connection', 'mcp.url.redirect', 'apim.path.notFound']);

/** Whether a finding could be an effect of the credential the probe lacked. */
export function dependsOnCredentials(finding: Finding): boolean {
  return !CREDENTIAL_INDEPENDENT.has(finding.id);
}

/**
 * The verdict of a run that lacked a credential someone else holds (an mcp.json password input only VS Code can read).
 * The gateway then answered a keyless client, so what the credential decides is not known: those errors are kept as
 * observations (`info`), never as the verdict. What does not depend on the credential keeps its severity.
 */
export function keylessVerdict(diagnosis: Diagnosis): Diagnosis {
  const findings = diagnosis.findings.map((f): Finding => (f.severity === 'error' && dependsOnCredentials(f) ? { ...f, severity: 'info' } : f));
  return { ...diagnosis, findings: sortFindings(findings) };
}
