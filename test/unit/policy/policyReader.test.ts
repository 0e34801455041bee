import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { readPolicy, type PolicyDocument } from '../../../src/core/apim/policy/policyReader';
import { extractBicepPolicies } from '../../../src/core/apim/policy/bicepPolicies';

import { FUZZ_RUNS } from '../fuzzRuns';

/** Every range the reader reports must point at exactly the text it describes. */
function assertRangesExact(doc: PolicyDocument): void {
  const { text } = doc;
  const naive = (offset: number): { line: number; column: number } => {
    const before = text.slice(0, offset);
    const breaks = before.match(/\r\n|\r|\n/g) ?? [];
    const lastBreak = Math.max(before.lastIndexOf('\n'), before.lastIndexOf('\r'));
    return { line: breaks.length, column: offset - (lastBreak + 1) };
  };
  const check = (r: { start: number; end: number; startPos: { line: number; column: number }; endPos: { line: number; column: number } }): void => {
    assert.ok(r.start >= 0 && r.start <= r.end && r.end <= text.length, `range ${r.start}-${r.end} out of bounds (${text.length})`);
    assert.deepEqual(r.startPos, naive(r.start));
    assert.deepEqual(r.endPos, naive(r.end));
  };
  for (const element of doc.elements) {
    check(element.range);
    check(element.nameRange);
    assert.equal(text.slice(element.nameRange.start, element.nameRange.end), element.name);
    assert.equal(text[element.range.start], '<');
    for (const attribute of element.attributes) {
      check(attribute.range);
      check(attribute.valueRange);
      assert.equal(text.slice(attribute.nameRange.start, attribute.nameRange.end), attribute.name);
      assert.equal(text.slice(attribute.valueRange.start, attribute.valueRange.end), attribute.value);
    }
  }
  for (const expression of doc.expressions) {
    check(expression.range);
    check(expression.codeRange);
    assert.ok(['@(', '@{'].includes(text.slice(expression.range.start, expression.range.start + 2)));
    assert.equal(text.slice(expression.codeRange.start, expression.codeRange.end), expression.code);
    if (expression.terminated) assert.ok([')', '}'].includes(text[expression.range.end - 1]!));
  }
  for (const problem of doc.problems) check(problem.range);
}

// Verbatim policy text quoted in research/apim-entra-diagnostics.md (§1.6, §2.1, §2.2) and the shapes it describes.
const RESEARCH_SNIPPETS: { name: string; text: string; elements: string[]; expressions: string[] }[] = [
  {
    name: '§1.6 request id header',
    text: '<set-header name="x-request-id"><value>@(context.RequestId.ToString())</value></set-header>',
    elements: ['set-header', 'value'],
    expressions: ['context.RequestId.ToString()'],
  },
  {
    name: '§2.1 rate limit per MCP session',
    text: '<rate-limit-by-key calls="1" renewal-period="60" counter-key="@(context.Request.Headers.GetValueOrDefault("Mcp-Session-Id", "unknown"))" />',
    elements: ['rate-limit-by-key'],
    expressions: ['context.Request.Headers.GetValueOrDefault("Mcp-Session-Id", "unknown")'],
  },
  {
    name: '§2.1 Authorization forwarding snippet',
    text: '<set-header name="Authorization" exists-action="override"><value>@(context.Request.Headers.GetValueOrDefault("Authorization"))</value></set-header>',
    elements: ['set-header', 'value'],
    expressions: ['context.Request.Headers.GetValueOrDefault("Authorization")'],
  },
  {
    name: '§2.1 body read with preserveContent',
    text: '<set-variable name="body" value="@(context.Request.Body.As<string>(preserveContent: true))" />',
    elements: ['set-variable'],
    expressions: ['context.Request.Body.As<string>(preserveContent: true)'],
  },
  {
    name: '§2.2 validate-azure-ad-token',
    text: '<validate-azure-ad-token tenant-id="{{McpTenantId}}" failed-validation-httpcode="401" failed-validation-error-message="Unauthorized"><audiences><audience>{{McpClientId}}</audience></audiences></validate-azure-ad-token>',
    elements: ['validate-azure-ad-token', 'audiences', 'audience'],
    expressions: [],
  },
  {
    name: '§2.2 Bearer challenge',
    text: '<set-header name="WWW-Authenticate" exists-action="override"><value>Bearer error="invalid_token", resource_metadata="{{APIMGatewayURL}}/.well-known/oauth-protected-resource"</value></set-header>',
    elements: ['set-header', 'value'],
    expressions: [],
  },
  {
    name: '§2.2 PRM JSON body',
    text: '<set-body>{"resource":"{{APIMGatewayURL}}/{{McpApiPath}}","authorization_servers":["https://login.microsoftonline.com/{{McpTenantId}}/v2.0"],"bearer_methods_supported":["header"],"scopes_supported":["{{McpClientId}}/user_impersonate"]}</set-body>',
    elements: ['set-body'],
    expressions: [],
  },
  {
    name: 'G4 guarded claim (ghcp-byok-foundry shape)',
    text: '<when condition="@(context.Request.Headers.GetValueOrDefault("Authorization","").AsJwt()?.Claims.GetValueOrDefault("roles", "") != "")"><base /></when>',
    elements: ['when', 'base'],
    expressions: ['context.Request.Headers.GetValueOrDefault("Authorization","").AsJwt()?.Claims.GetValueOrDefault("roles", "") != ""'],
  },
  {
    name: 'unescaped < and && in a condition',
    text: '<when condition="@(context.Response.StatusCode < 500 && context.Variables.ContainsKey("x"))"><set-status code="200" /></when>',
    elements: ['when', 'set-status'],
    expressions: ['context.Response.StatusCode < 500 && context.Variables.ContainsKey("x")'],
  },
  {
    name: 'multi-statement block with braces in strings and char literals',
    text: '<set-body>@{ var s = "}{)(\\"<x>"; char c = \'}\'; char q = \'\\\'\'; var t = $"{s.Length}:{(c == \'}\' ? "}" : "{{")}"; return @"a""b" + t; }</set-body>',
    elements: ['set-body'],
    expressions: [' var s = "}{)(\\"<x>"; char c = \'}\'; char q = \'\\\'\'; var t = $"{s.Length}:{(c == \'}\' ? "}" : "{{")}"; return @"a""b" + t; '],
  },
  {
    name: 'comments inside a block',
    text: '<set-variable name="x" value="@{ // a ) comment\n return /* } */ 1; }" />',
    elements: ['set-variable'],
    expressions: [' // a ) comment\n return /* } */ 1; '],
  },
  {
    name: 'entity-escaped quotes (strict XML form)',
    text: '<set-variable name="t" value="@(context.Request.Headers.GetValueOrDefault(&quot;Authorization&quot;))" />',
    elements: ['set-variable'],
    expressions: ['context.Request.Headers.GetValueOrDefault(&quot;Authorization&quot;)'],
  },
  {
    name: 'CDATA body with an expression',
    text: '<set-body><![CDATA[@("<a>" + context.Request.Url.Path)]]></set-body>',
    elements: ['set-body'],
    expressions: ['"<a>" + context.Request.Url.Path'],
  },
  {
    name: 'single-quoted attribute',
    text: "<when condition='@(context.Variables[\"a\"] == \"b\")'><base /></when>",
    elements: ['when', 'base'],
    expressions: ['context.Variables["a"] == "b"'],
  },
];

describe('policy reader: research samples', () => {
  for (const sample of RESEARCH_SNIPPETS) {
    it(`reads ${sample.name} without problems`, () => {
      const doc = readPolicy(sample.text);
      assert.deepEqual(doc.problems, []);
      assert.deepEqual(doc.elements.map((e) => e.name), sample.elements);
      assert.deepEqual(doc.expressions.map((x) => x.code), sample.expressions);
      assertRangesExact(doc);
    });
  }
});

describe('policy reader: structure and ranges', () => {
  it('nests elements, keeps parents and gives line/column positions', () => {
    const text = '<policies>\n  <inbound>\n    <base />\n    <set-header name="a">\n      <value>@(1)</value>\n    </set-header>\n  </inbound>\n</policies>\n';
    const doc = readPolicy(text);
    assert.deepEqual(doc.problems, []);
    const value = doc.elements.find((e) => e.name === 'value')!;
    assert.equal(value.parent?.name, 'set-header');
    assert.equal(value.parent?.parent?.name, 'inbound');
    assert.deepEqual(doc.expressions[0]!.range.startPos, { line: 4, column: 13 });
    const header = doc.elements.find((e) => e.name === 'set-header')!;
    assert.equal(text.slice(header.range.start, header.range.end), '<set-header name="a">\n      <value>@(1)</value>\n    </set-header>');
    assert.equal(text.slice(header.endTagRange!.start, header.endTagRange!.end), '</set-header>');
    assertRangesExact(doc);
  });

  it('counts CRLF and CR line breaks as one line each', () => {
    const doc = readPolicy('<a>\r\n<b />\r<c />\n</a>');
    assert.deepEqual(doc.elements.map((e) => e.nameRange.startPos), [
      { line: 0, column: 1 },
      { line: 1, column: 1 },
      { line: 2, column: 1 },
    ]);
    assertRangesExact(doc);
  });

  const MALFORMED: { name: string; text: string; problem: RegExp; elements: string[] }[] = [
    { name: 'an unclosed element', text: '<policies><inbound><base /></policies>', problem: /<inbound> is never closed/, elements: ['policies', 'inbound', 'base'] },
    { name: 'a stray closing tag', text: '<a></b></a>', problem: /<\/b> has no matching start tag/, elements: ['a'] },
    { name: 'an unclosed comment', text: '<a><!-- open', problem: /Comment is never closed/, elements: ['a'] },
    { name: 'an unclosed CDATA', text: '<a><![CDATA[ x', problem: /CDATA section is never closed/, elements: ['a'] },
    {
      name: 'an unbalanced expression in an attribute, recovered at the attribute end',
      text: '<when condition="@(context.Variables["x"] == "a"">\n<set-status code="403" /></when>',
      problem: /Policy expression is not closed/,
      elements: ['when', 'set-status'],
    },
    { name: 'a start tag cut by another', text: '<a b="1" <c />', problem: /Start tag <a> is not terminated/, elements: ['a', 'c'] },
    { name: 'a missing closing quote', text: '<a b="1></a>', problem: /missing its closing "/, elements: ['a'] },
  ];
  for (const sample of MALFORMED) {
    it(`reports ${sample.name} and keeps reading`, () => {
      const doc = readPolicy(sample.text);
      assert.ok(doc.problems.some((p) => sample.problem.test(p.message)), JSON.stringify(doc.problems.map((p) => p.message)));
      assert.deepEqual(doc.elements.map((e) => e.name), sample.elements);
      assertRangesExact(doc);
    });
  }

  it('recovers an unbalanced expression so the next attribute is still read', () => {
    const doc = readPolicy('<when condition="@(a(" other="x" />');
    const when = doc.elements[0]!;
    assert.deepEqual(when.attributes.map((a) => [a.name, a.value]), [
      ['condition', '@(a('],
      ['other', 'x'],
    ]);
    assert.equal(doc.expressions[0]!.terminated, false);
  });
});

describe('policy reader: fuzz', () => {
  const token = fc.constantFrom(
    '<', '>', '/>', '</', '<policies>', '</policies>', '<inbound>', '</inbound>', '<set-header name="a">', '</set-header>',
    '<value>', '</value>', '<!--', '-->', '<![CDATA[', ']]>', '<?x', '?>', '<!DOCTYPE', '@(', '@{', '(', ')', '{', '}', '[', ']',
    '"', "'", '$"', '@"', '\\', '//', '/*', '*/', '\n', '\r\n', '\r', ' ', '=', 'a', 'when', 'condition=', '&quot;', '&&',
    'Claims["roles"]', '.Body.As<JObject>()', '${', "'''", '\u00e9', '\ud83d\ude00',
  );
  const policyish = fc.array(token, { maxLength: 80 }).map((parts) => parts.join(''));

  it(`never throws, never hangs and keeps exact ranges (${FUZZ_RUNS} runs, policy-like input)`, () => {
    fc.assert(
      fc.property(policyish, (text) => {
        const started = performance.now();
        const doc = readPolicy(text);
        assert.ok(performance.now() - started < 1000, 'reader took over a second');
        assertRangesExact(doc);
      }),
      { numRuns: FUZZ_RUNS },
    );
  });

  it(`never throws on arbitrary strings (${FUZZ_RUNS} runs)`, () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (text) => {
        assertRangesExact(readPolicy(text));
      }),
      { numRuns: FUZZ_RUNS },
    );
  });

  it('handles deep nesting without recursion limits', () => {
    const deep = `<a condition="@(${'$"{'.repeat(20000)}">` + '<b>'.repeat(20000);
    const doc = readPolicy(deep);
    assert.equal(doc.elements.length, 20001);
  });

  it('never throws extracting Bicep policy strings', () => {
    fc.assert(
      fc.property(policyish, (text) => {
        for (const segment of extractBicepPolicies(`x = '${text}'\ny = '''${text}'''`)) {
          for (let i = 0; i <= segment.text.length; i++) {
            assert.ok(segment.toHost(i) <= segment.toHostEnd(i + 1) || i === segment.text.length);
          }
        }
      }),
      { numRuns: Math.min(FUZZ_RUNS, 2000) },
    );
  });
});

describe('Bicep policy strings', () => {
  it('maps a multi-line literal one to one', () => {
    const source = "value: '''\n<policies><inbound /></policies>\n'''\nother: 'x'";
    const [segment] = extractBicepPolicies(source);
    assert.ok(segment);
    assert.equal(segment.form, 'multiline');
    const at = segment.text.indexOf('<inbound');
    assert.equal(source.slice(segment.toHost(at), segment.toHost(at) + 8), '<inbound');
  });

  it('decodes single-line escapes and maps offsets past them', () => {
    const source = "value: '<policies><a b=\"@((string)x[\\'m\\'])\" /></policies>'";
    const [segment] = extractBicepPolicies(source);
    assert.ok(segment);
    assert.equal(segment.text, "<policies><a b=\"@((string)x['m'])\" /></policies>");
    const close = segment.text.indexOf("'])");
    assert.equal(source.slice(segment.toHost(close), segment.toHostEnd(close + 1)), "\\'");
    assert.equal(segment.encode("it's\n"), "it\\'s\\n");
  });

  it('skips comments, interpolations and strings that hold no policy', () => {
    const source = "// '<policies>'\n/* '<policies>' */\nname: 'x${'}'}'\nvalue: '<policies/>'";
    const segments = extractBicepPolicies(source);
    assert.deepEqual(segments.map((s) => s.text), ['<policies/>']);
  });
});
