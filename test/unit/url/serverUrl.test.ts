import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeServerUrl, classifyHost, suggestServerName, uniqueName } from '../../../src/core/url/serverUrl';

describe('analyzeServerUrl', () => {
  const hosts: [string, string, string | undefined][] = [
    ['https://contoso.azure-api.net/weather/mcp', 'apimPublic', 'contoso'],
    ['https://CONTOSO.Azure-Api.NET/weather/mcp', 'apimPublic', 'contoso'],
    ['https://contoso-westeurope-01.regional.azure-api.net/w/mcp', 'apimPublic', 'contoso-westeurope-01'],
    ['https://fabrikam.azure-api.cn/mcp', 'apimChina', 'fabrikam'],
    ['https://gov.azure-api.us/x/mcp', 'apimUsGov', 'gov'],
    ['https://api.contoso.com/weather/mcp', 'custom', undefined],
    ['https://azure-api.net.evil.example/mcp', 'custom', undefined],
    ['https://notazure-api.net/mcp', 'custom', undefined],
    ['http://localhost:7071/mcp', 'loopback', undefined],
    ['http://127.0.0.1:8080/mcp', 'loopback', undefined],
    ['http://[::1]:8080/mcp', 'loopback', undefined],
  ];
  for (const [url, kind, service] of hosts) {
    it(`classifies ${url} as ${kind}`, () => {
      const r = analyzeServerUrl(url);
      assert.ok(r.ok, r.ok ? '' : r.error);
      assert.equal(r.value.hostKind, kind);
      assert.equal(r.value.apimServiceName, service);
    });
  }

  const refused: [string, RegExp][] = [
    ['http://contoso.azure-api.net/mcp', /https/],
    ['ftp://contoso.azure-api.net/mcp', /https/],
    ['https://user:pw@contoso.azure-api.net/mcp', /user name or password/],
    ['not a url', /not a valid URL/],
    ['http://10.0.0.5/mcp', /loopback/],
  ];
  for (const [url, message] of refused) {
    it(`refuses ${url}`, () => {
      const r = analyzeServerUrl(url);
      assert.equal(r.ok, false);
      assert.match(r.ok ? '' : r.error, message);
    });
  }

  const paths: [string, string | undefined, string | undefined][] = [
    ['https://contoso.azure-api.net/weather/sse', 'sse', 'https://contoso.azure-api.net/weather/mcp'],
    ['https://contoso.azure-api.net/weather/sse/', 'sse', 'https://contoso.azure-api.net/weather/mcp'],
    ['https://contoso.azure-api.net/weather/SSE?x=1', 'sse', 'https://contoso.azure-api.net/weather/mcp?x=1'],
    ['https://contoso.azure-api.net/weather/messages?sessionId=abc', 'messages', 'https://contoso.azure-api.net/weather/mcp'],
    ['https://contoso.azure-api.net/weather/message', 'messages', 'https://contoso.azure-api.net/weather/mcp'],
    ['https://contoso.azure-api.net/weather/mcp', undefined, undefined],
    ['https://contoso.azure-api.net/sse-tools/mcp', undefined, undefined],
  ];
  for (const [url, mistake, fixed] of paths) {
    it(`path mistake of ${url} is ${mistake ?? 'none'}`, () => {
      const r = analyzeServerUrl(url);
      assert.ok(r.ok);
      assert.equal(r.value.pathMistake, mistake);
      assert.equal(r.value.suggestedUrl, fixed);
    });
  }
});

describe('suggestServerName', () => {
  const cases: [string, string][] = [
    ['https://contoso.azure-api.net/weather/mcp', 'contoso-weather'],
    ['https://contoso.azure-api.net/mcp', 'contoso'],
    ['https://contoso.azure-api.net/api/v1/Orders%20Service/mcp', 'contoso-orders-service'],
    ['https://www.api.contoso.com/weather/mcp', 'api-weather'],
    ['http://localhost:7071/tools/mcp', 'local-tools'],
    ['https://fabrikam.azure-api.cn/sse', 'fabrikam'],
  ];
  for (const [url, name] of cases) {
    it(`${url} -> ${name}`, () => assert.equal(suggestServerName(new URL(url)), name));
  }
  it('never contains a slash or control character (the setting pattern forbids them)', () => {
    const name = suggestServerName(new URL('https://x.azure-api.net/a%2Fb/%0A/c/mcp'));
    assert.doesNotMatch(name, /[/\u0000-\u001f]/);
  });
});

describe('uniqueName', () => {
  it('appends the first free number, case-insensitively', () => {
    assert.equal(uniqueName('weather', ['Weather', 'weather-2']), 'weather-3');
    assert.equal(uniqueName('weather', ['other']), 'weather');
  });
});

describe('classifyHost', () => {
  it('does not treat the bare suffix as a service', () => {
    assert.equal(classifyHost('azure-api.net').kind, 'custom');
  });
});
