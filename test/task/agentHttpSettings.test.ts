import * as assert from 'node:assert/strict';
import { agentHttpSettings } from '../../shared/task/agentHttpSettings';

const VARIABLES = [
  'AGENT_PROXYURL',
  'AGENT_PROXYUSERNAME',
  'AGENT_PROXYPASSWORD',
  'AGENT_PROXYBYPASSLIST',
  'AGENT_CAINFO',
  'AGENT_CLIENTCERT',
  'AGENT_CLIENTCERTKEY',
  'AGENT_CLIENTCERTPASSWORD',
  'AGENT_SKIPCERTVALIDATION',
];

describe('agentHttpSettings', () => {
  let saved: Record<string, string | undefined> = {};
  let written: string[] = [];
  let originalWrite: typeof process.stdout.write;
  beforeEach(() => {
    saved = Object.fromEntries(VARIABLES.map((name) => [name, process.env[name]]));
    for (const name of VARIABLES) Reflect.deleteProperty(process.env, name);
    written = [];
    originalWrite = process.stdout.write.bind(process.stdout);
    // task-lib announces secrets on stdout; capture them to check the password was registered.
    process.stdout.write = (chunk: string | Uint8Array): boolean => {
      written.push(String(chunk));
      return true;
    };
  });
  afterEach(() => {
    process.stdout.write = originalWrite;
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) Reflect.deleteProperty(process.env, name);
      else process.env[name] = value;
    }
  });

  it('verifies certificates and uses no proxy by default', () => {
    const settings = agentHttpSettings();
    process.stdout.write = originalWrite;
    assert.equal(settings.proxy, undefined);
    assert.deepEqual(settings.tls, { rejectUnauthorized: true });
    assert.deepEqual(settings.warnings, []);
    assert.equal(settings.timeoutMs, 60_000);
    assert.equal(settings.retries, 4);
  });

  it('reads the proxy, its bypass list and the certificates, registering the secrets', () => {
    process.env.AGENT_PROXYURL = 'http://proxy.corp:8080';
    process.env.AGENT_PROXYUSERNAME = 'svc-proxy';
    process.env.AGENT_PROXYPASSWORD = 'proxy-pass-123';
    process.env.AGENT_PROXYBYPASSLIST = JSON.stringify(['lt\\.internal', '[']);
    process.env.AGENT_CAINFO = '/certs/ca.pem';
    process.env.AGENT_CLIENTCERT = '/certs/client.pem';
    process.env.AGENT_CLIENTCERTKEY = '/certs/client.key';
    process.env.AGENT_CLIENTCERTPASSWORD = 'key-pass-456';
    const settings = agentHttpSettings({ timeoutMs: 5 });
    process.stdout.write = originalWrite;
    const proxy = settings.proxy;
    assert.ok(proxy);
    assert.equal(proxy.url, 'http://proxy.corp:8080');
    assert.equal(proxy.username, 'svc-proxy');
    assert.equal(proxy.password, 'proxy-pass-123');
    const bypass = proxy.bypass ?? [];
    assert.equal(bypass.length, 1);
    assert.ok(bypass[0]?.test('https://LT.INTERNAL/lifetimeapi'));
    assert.deepEqual(settings.tls, {
      rejectUnauthorized: true,
      caFile: '/certs/ca.pem',
      certFile: '/certs/client.pem',
      keyFile: '/certs/client.key',
      passphrase: 'key-pass-456',
    });
    assert.equal(settings.timeoutMs, 5);
    assert.match(settings.warnings.join('\n'), /invalid Agent\.ProxyBypassList entry: \[/);
    const output = written.join('');
    assert.match(output, /##vso\[task\.setsecret\]proxy-pass-123/);
    assert.match(output, /##vso\[task\.setsecret\]key-pass-456/);
  });

  it('turns verification off only for Agent.SkipCertValidation, with a warning', () => {
    process.env.AGENT_SKIPCERTVALIDATION = 'True';
    const settings = agentHttpSettings();
    process.stdout.write = originalWrite;
    assert.equal(settings.tls.rejectUnauthorized, false);
    assert.match(settings.warnings.join('\n'), /NOT verified/);
  });
});
