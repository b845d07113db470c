import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/index.js';

describe('loadConfig', () => {
  it('starts with nothing configured: embedded PostgreSQL under .data, port 3000', () => {
    const config = loadConfig({}, '/srv/app');
    expect(config).toMatchObject({ PORT: 3000, LOG_LEVEL: 'http' });
    expect(config.DATABASE_URL).toBeUndefined();
    expect(config.EVENTSTORE_URL).toBeUndefined();
    expect(config.embeddedPostgresDir).toBe(path.resolve('/srv/app/.data/postgres'));
  });

  it('reads and coerces what is set, treating empty as unset', () => {
    const config = loadConfig({ PORT: '8080', DATABASE_URL: 'postgres://u:p@db:5432/billing', LOG_LEVEL: '', DATA_DIR: '/var/data' }, '/x');
    expect(config).toMatchObject({ PORT: 8080, DATABASE_URL: 'postgres://u:p@db:5432/billing', LOG_LEVEL: 'http' });
    expect(config.embeddedPostgresDir).toBe('/var/data/postgres');
  });

  it('reports every wrong variable by name, with what it expects and what it got', () => {
    let error: unknown;
    try {
      loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://db/x', LOG_LEVEL: 'loud', EVENTSTORE_URL: 'http://es:2113' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems).toHaveLength(4);
    expect(problems.find((p) => p.startsWith('PORT:'))).toContain('(got "eighty")');
    expect(problems.find((p) => p.startsWith('DATABASE_URL:'))).toContain('postgres://');
    expect(problems.find((p) => p.startsWith('LOG_LEVEL:'))).toContain('"loud"');
    expect(problems.find((p) => p.startsWith('EVENTSTORE_URL:'))).toContain('esdb://');
  });

  it('reads CORS_ORIGINS as a list of origins, none unless set, and refuses anything but scheme://host[:port]', () => {
    expect(loadConfig({}).CORS_ORIGINS).toEqual([]);
    expect(loadConfig({ CORS_ORIGINS: 'https://app.example.com, http://localhost:5173' }).CORS_ORIGINS).toEqual(['https://app.example.com', 'http://localhost:5173']);
    for (const bad of ['app.example.com', 'https://app.example.com/', 'https://app.example.com/path', 'ftp://files.example.com', '*']) {
      expect(() => loadConfig({ CORS_ORIGINS: bad }), bad).toThrow(/CORS_ORIGINS/);
    }
  });

  it('refuses a port out of range', () => {
    expect(() => loadConfig({ PORT: '70000' })).toThrow(/PORT/);
  });

  it('reads the scheduler lease TTL, 30 s unless set, and refuses one under a second', () => {
    expect(loadConfig({}).SCHEDULER_LEASE_TTL_MS).toBe(30_000);
    expect(loadConfig({ SCHEDULER_LEASE_TTL_MS: '5000' }).SCHEDULER_LEASE_TTL_MS).toBe(5_000);
    expect(() => loadConfig({ SCHEDULER_LEASE_TTL_MS: '500' })).toThrow(/SCHEDULER_LEASE_TTL_MS/);
  });
  it('reads the role, all unless set, and refuses an unknown one', () => {
    expect(loadConfig({}).ROLE).toBe('all');
    expect(loadConfig({ ROLE: 'scheduler' }).ROLE).toBe('scheduler');
    expect(loadConfig({ ROLE: 'api', CLOCK: 'simulated', SCHEDULER: 'off' }).ROLE).toBe('api');
    expect(() => loadConfig({ ROLE: 'janitor' })).toThrow(/ROLE: .*"all"\|"api"\|"scheduler".*\(got "janitor"\)/);
  });

  it('refuses a scheduler role that would schedule nothing: SCHEDULER=off, or a simulated clock', () => {
    expect(() => loadConfig({ ROLE: 'scheduler', SCHEDULER: 'off' })).toThrow(/ROLE: role scheduler runs the triggers, which SCHEDULER=off/);
    expect(() => loadConfig({ ROLE: 'scheduler', CLOCK: 'simulated' })).toThrow(/ROLE: with CLOCK=simulated/);
  });

  it('reads the dunning policy: retries on days 1, 3, 5 and 7 and 30 days of grace unless set', () => {
    expect(loadConfig({})).toMatchObject({ DUNNING_SCHEDULE_DAYS: [1, 3, 5, 7], GRACE_PERIOD_DAYS: 30, PAYMENT_GATEWAY: 'simulated' });
    expect(loadConfig({ DUNNING_SCHEDULE_DAYS: ' 2, 4 ,10', GRACE_PERIOD_DAYS: '14' })).toMatchObject({ DUNNING_SCHEDULE_DAYS: [2, 4, 10], GRACE_PERIOD_DAYS: 14 });
    expect(loadConfig({ DUNNING_SCHEDULE_DAYS: 'none' }).DUNNING_SCHEDULE_DAYS).toEqual([]);
    for (const bad of ['1,1', '3,1', '0,2', '1,,2', '1.5', 'daily', '1;3']) {
      expect(() => loadConfig({ DUNNING_SCHEDULE_DAYS: bad }), bad).toThrow(/DUNNING_SCHEDULE_DAYS/);
    }
    expect(() => loadConfig({ GRACE_PERIOD_DAYS: '-1' })).toThrow(/GRACE_PERIOD_DAYS/);
    expect(() => loadConfig({ PAYMENT_GATEWAY: 'stripe' })).toThrow(/PAYMENT_GATEWAY/);
  });

  it('takes role worker, but not on a simulated clock, whose jobs run with the API that moves it', () => {
    expect(loadConfig({ ROLE: 'worker' }).ROLE).toBe('worker');
    expect(() => loadConfig({ ROLE: 'worker', CLOCK: 'simulated' })).toThrow(/ROLE: .*role all/);
  });

  it('takes a billing-run schedule only as a node-cron expression', () => {
    expect(loadConfig({}).BILLING_RUN_SCHEDULE).toBeUndefined();
    expect(loadConfig({ BILLING_RUN_SCHEDULE: '*/5 * * * * *' }).BILLING_RUN_SCHEDULE).toBe('*/5 * * * * *');
    expect(() => loadConfig({ BILLING_RUN_SCHEDULE: 'every minute' })).toThrow(/BILLING_RUN_SCHEDULE: must be a node-cron expression/);
  });

  it('writes notices to the outbox unless SMTP_URL names an smtp:// or smtps:// server, from MAIL_FROM', () => {
    expect(loadConfig({}).SMTP_URL).toBeUndefined();
    expect(loadConfig({}).MAIL_FROM).toBe('billing@billstream.local');
    const config = loadConfig({ SMTP_URL: 'smtps://user:pass@mail.example.com:465', MAIL_FROM: 'Billing <billing@example.com>' });
    expect(config).toMatchObject({ SMTP_URL: 'smtps://user:pass@mail.example.com:465', MAIL_FROM: 'Billing <billing@example.com>' });
    expect(() => loadConfig({ SMTP_URL: 'http://mail.example.com' })).toThrow(/SMTP_URL: must start with smtp:\/\/ or smtps:\/\//);
    expect(() => loadConfig({ MAIL_FROM: 'billing' })).toThrow(/MAIL_FROM: must be an address, or "Name <address>"/);
    expect(() => loadConfig({ MAIL_FROM: 'Billing <billing>' })).toThrow(/MAIL_FROM/);
  });
});
