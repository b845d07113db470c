import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatAmount, formatDay } from '../../src/application/notice/format.js';
import { NOTICE_NAMES, renderNotice, type NoticeData, type NoticeName } from '../../src/application/notice/notices.js';
import { escapeHtml, fillTemplate } from '../../src/application/notice/render.js';

const HOSTILE = '<script>alert("x")</script> & Co';
const HOSTILE_ESCAPED = '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co';
const usd = (amount: number) => ({ amount, currency: 'usd' });

/** One sample per notice; the type makes a new notice without a sample fail to compile. */
const SAMPLES: { [N in NoticeName]: NoticeData[N] } = {
  payment_failed_immediate: { customerName: HOSTILE, invoiceNumber: '2030-000042', amountDue: usd(3000), failureCode: 'insufficient_funds' },
  payment_failed_7day: { customerName: HOSTILE, invoiceNumber: '2030-000042', amountDue: usd(3000), graceEndsAt: '2030-04-07T00:00:00.000Z' },
  payment_failed_1day: { customerName: HOSTILE, invoiceNumber: '2030-000042', amountDue: usd(3000), graceEndsAt: '2030-04-07T00:00:00.000Z' },
  invoice_finalized: {
    customerName: HOSTILE,
    invoiceNumber: '2030-000042',
    currency: 'usd',
    periodStart: '2030-03-01T00:00:00.000Z',
    periodEnd: '2030-04-01T00:00:00.000Z',
    lines: [
      { description: 'Pro (monthly)', quantity: 3, amount: 9000 },
      { description: 'Unused time on <Basic>', quantity: 3, amount: -1500 },
    ],
    subtotal: 7500,
    tax: 0,
    total: 7500,
    creditApplied: 500,
    amountDue: 7000,
  },
  payment_succeeded: { customerName: HOSTILE, invoiceNumber: '2030-000042', amountPaid: usd(7000), paidAt: '2030-03-02T10:30:00.000Z' },
  subscription_created: {
    customerName: HOSTILE,
    planName: 'Pro',
    quantity: 3,
    price: usd(9000),
    interval: 'month',
    intervalCount: 3,
    startsAt: '2030-03-01T00:00:00.000Z',
    firstInvoiceAt: '2030-03-15T00:00:00.000Z',
  },
  trial_will_end: { customerName: HOSTILE, planName: 'Pro', trialEndsAt: '2030-03-15T00:00:00.000Z', firstInvoiceAmount: usd(9000) },
};

const render = <N extends NoticeName>(name: N) => renderNotice(name, SAMPLES[name]);

describe('notice templates', () => {
  it.each(NOTICE_NAMES)('%s renders a subject, a text and an HTML part with nothing left unfilled', (name) => {
    const notice = render(name);
    expect(notice.subject).not.toBe('');
    expect(notice.subject).not.toMatch(/[\r\n]/);
    for (const part of [notice.subject, notice.text, notice.html]) {
      expect(part).not.toContain('{{');
      expect(part).not.toContain('}}');
    }
    expect(notice.text).toContain(`Hello ${HOSTILE},`);
    expect(notice.html).toContain(`Hello ${HOSTILE_ESCAPED},`);
    expect(notice.html).not.toContain('<script>');
    expect(notice.html.startsWith('<!DOCTYPE html>')).toBe(true);
  });

  it('has exactly a .txt and an .html file for every notice, and no other', () => {
    const files = readdirSync(new URL('../../src/application/notice/templates', import.meta.url)).sort();
    expect(files).toEqual(NOTICE_NAMES.flatMap((n) => [`${n}.html`, `${n}.txt`]).sort());
  });

  it('invoice_finalized lists every line, escaped in the HTML, and inserts a line that reads {{total}} as text', () => {
    const sample = SAMPLES.invoice_finalized;
    const lines = [...sample.lines, { description: 'Setup {{total}}', quantity: 1, amount: 0 }];
    const { subject, text, html } = renderNotice('invoice_finalized', { ...sample, lines });
    expect(subject).toBe('Invoice 2030-000042: 70.00 USD due');
    expect(text).toContain('1 March 2030 to 1 April 2030');
    expect(text).toContain('- Pro (monthly) × 3: 90.00 USD\n- Unused time on <Basic> × 3: -15.00 USD\n- Setup {{total}} × 1: 0.00 USD\n');
    expect(text).toContain('Total: 75.00 USD\nCredit applied: -5.00 USD\nAmount due: 70.00 USD');
    expect(html).toContain('<td style="padding: 4px 12px 4px 0;">Unused time on &lt;Basic&gt;</td>');
    expect(html.match(/<tr><td style="padding: 4px 12px 4px 0;">/g)).toHaveLength(3);
    expect(html).toContain('<strong>70.00 USD</strong>');
  });

  it('puts the dates, amounts and plan of each notice where the customer reads them', () => {
    expect(render('payment_failed_immediate').text).toContain('We could not collect 30.00 USD for invoice 2030-000042 (reason: insufficient_funds).');
    expect(render('payment_failed_7day').text).toContain('If it is not paid by 7 April 2030, your subscription will be canceled.');
    expect(render('payment_failed_1day').subject).toBe('Last day to pay invoice 2030-000042');
    expect(render('payment_succeeded').text).toContain('we received 70.00 USD on 2 March 2030 for invoice 2030-000042');
    expect(render('subscription_created').text).toContain('It costs 90.00 USD every 3 months. Your first invoice will be issued on 15 March 2030.');
    expect(render('trial_will_end').subject).toBe('Your Pro trial ends on 15 March 2030');
  });

  it('keeps a subject on one line whatever the plan name holds', () => {
    const { subject } = renderNotice('trial_will_end', { ...SAMPLES.trial_will_end, planName: 'Pro\r\nBcc: someone@example.com' });
    expect(subject).toBe('Your Pro Bcc: someone@example.com trial ends on 15 March 2030');
  });
});

describe('the template renderer', () => {
  it('refuses a placeholder without a value, a section without rows, and a {{ it cannot read', () => {
    expect(() => fillTemplate('Hi {{name}}', {}, escapeHtml, 't')).toThrow(/\{\{name\}\} has no text value/);
    expect(() => fillTemplate('{{#lines}}{{a}}{{/lines}}', { lines: 'x' }, escapeHtml, 't')).toThrow(/has no list of rows/);
    expect(() => fillTemplate('Hi {{ name }}', { name: 'x' }, escapeHtml, 't')).toThrow(/not a placeholder/);
    expect(() => fillTemplate('{{#lines}}{{a}}', { lines: [] }, escapeHtml, 't')).toThrow(/not a placeholder/);
  });

  it('escapes every character that is markup in HTML', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
  });
});

describe('formatAmount and formatDay', () => {
  it('shows minor units in the currency\'s own decimals, with thousands separators and a sign', () => {
    expect(formatAmount(usd(3000))).toBe('30.00 USD');
    expect(formatAmount(usd(5))).toBe('0.05 USD');
    expect(formatAmount(usd(-1500))).toBe('-15.00 USD');
    expect(formatAmount(usd(123_456_789))).toBe('1,234,567.89 USD');
    expect(formatAmount(usd(Number.MAX_SAFE_INTEGER))).toBe('90,071,992,547,409.91 USD');
    expect(formatAmount({ amount: 500, currency: 'jpy' })).toBe('500 JPY');
    expect(formatAmount({ amount: 1234, currency: 'kwd' })).toBe('1.234 KWD');
    expect(() => formatAmount(usd(1.5))).toThrow(RangeError);
  });

  it('shows an instant as its UTC day', () => {
    expect(formatDay('2028-02-29T23:59:59.999Z')).toBe('29 February 2028');
    expect(formatDay('2028-03-01T00:30:00+01:00')).toBe('29 February 2028');
    expect(() => formatDay('yesterday')).toThrow(RangeError);
  });
});
