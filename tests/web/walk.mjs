// The browser walk: in Debian's Chromium, a citizen on a phone-sized window finds the birth
// registration, submits it through the generated form, and gets the receipt; officers receive,
// forward, sign and approve it from their inboxes and return the result; the citizen sees it
// returned and rates it; an auditor verifies the chain. Every page is checked with axe-core
// (no serious or critical violation) and against its Content-Security-Policy (no violation
// reported), and saved as a screenshot.
//
// Run by tests/e2e/web.rs, which starts `hoso serve` and passes the addresses and tokens:
// HOSO_BASE, HOSO_CITIZEN, HOSO_DESK, HOSO_JUSTICE, HOSO_CHAIR, HOSO_AUDITOR, HOSO_SCREENSHOTS,
// HOSO_CHROMIUM.

import { readFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};
const base = env('HOSO_BASE');
const shots = env('HOSO_SCREENSHOTS');
mkdirSync(shots, { recursive: true });

const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');
const problems = [];
let step = 0;

/** Screenshot, axe and CSP check of the page as it is now. */
async function check(page, name) {
  step += 1;
  const file = join(shots, `${String(step).padStart(2, '0')}-${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  await page.evaluate(axeSource);
  const result = await page.evaluate(async () =>
    // eslint-disable-next-line no-undef
    await axe.run(document, { resultTypes: ['violations'] }));
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  for (const violation of bad) {
    problems.push(`${name} (${page.url()}): axe ${violation.impact} ${violation.id}: ${violation.help} — ${violation.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  }
  console.log(`${name}: ${page.url()} — ${result.violations.length} axe findings, ${bad.length} serious or critical; ${file}`);
  // A Vietnamese page says nothing in English and shows no internal code a person would read.
  // The designer's pages show the file's own ids (a designer writes `tham_dinh`), but their
  // words, the validator's messages included, are Vietnamese like every other page's.
  if (await page.evaluate(() => document.documentElement.lang) === 'vi') {
    const designing = new URL(page.url()).pathname.startsWith('/design');
    const text = await page.evaluate(() => document.body.innerText);
    const snake = designing ? [] : text.match(/\b[a-z][a-z0-9]*_[a-z0-9_]+\b/g) || [];
    const accounts = text.match(/\bu-[0-9a-f]{6,}/g) || [];
    const english = text.match(/\b(the|must|could not|cannot|is not|was not|please|should|waiting|events?|error)\b/gi) || [];
    for (const found of [...new Set([...snake, ...accounts, ...english])]) {
      problems.push(`${name} (${page.url()}): "${found}" in the visible text of a Vietnamese page`);
    }
  }
}

function watch(page, who) {
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy/i.test(message.text())) {
      problems.push(`${who} at ${page.url()}: ${message.text()}`);
    }
  });
}

async function signIn(page, token) {
  await page.fill('#token', token);
  await Promise.all([page.waitForLoadState('load'), page.click('form[action="/sign-in"] button[type=submit]')]);
}

/** Screenshot only: a page that is not hoso's (the identity provider's). */
async function snap(page, name) {
  step += 1;
  const file = join(shots, `${String(step).padStart(2, '0')}-${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  console.log(`${name}: ${page.url()} — not hoso's page, not checked; ${file}`);
}

/** Signs in through the OpenID provider's own pages (login, then consent). */
async function signInWithProvider(page, login) {
  await Promise.all([page.waitForLoadState('load'), page.click('#sign-in-sso')]);
  if (!page.url().startsWith(env('HOSO_OIDC_ISSUER'))) throw new Error(`the SSO link led to ${page.url()}`);
  await snap(page, 'sso-provider');
  await page.fill('input[name=login]', login);
  await page.fill('input[name=password]', 'x');
  await Promise.all([page.waitForLoadState('load'), page.click('button[type=submit]')]);
  await Promise.all([page.waitForURL((url) => url.href.startsWith(base) && !url.pathname.startsWith('/dang-nhap')), page.click('button[type=submit]')]);
}

// A signed PDF, as signing tools write one: the signature dictionary names its signer.
const signer = Buffer.from('\ufeffChủ tịch UBND phường', 'utf16le').swap16().toString('hex').toUpperCase();
const SIGNED_PDF = Buffer.from(`%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n7 0 obj\n<< /Type /Sig /ByteRange [0 100 300 50] /Contents <3082AB> /Name <${signer}> >>\nendobj\n%%EOF\n`);

async function act(page, action) {
  const form = page.locator(`form.action:has(input[name=action][value="${action}"])`);
  if (await form.locator('input[name=result]').count() > 0) {
    await form.locator('input[name=result]').setInputFiles({ name: 'giay-khai-sinh.pdf', mimeType: 'application/pdf', buffer: SIGNED_PDF });
  }
  await Promise.all([page.waitForLoadState('load'), form.locator('button').click()]);
  const status = await page.locator('#status').textContent();
  const notice = await page.locator('.notice').allTextContents();
  console.log(`  ${action} → ${status?.trim()} ${notice.join(' ')}`);
}

const browser = await chromium.launch({
  executablePath: process.env.HOSO_CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-dev-shm-usage'],
});
try {
  // The citizen, on a phone.
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, locale: 'vi-VN' });
  const citizen = await phone.newPage();
  watch(citizen, 'citizen');
  await citizen.goto(`${base}/`);
  await check(citizen, 'catalogue');
  // English is one link away, and back.
  await Promise.all([citizen.waitForLoadState('load'), citizen.click('a[href^="/lang/en"]')]);
  if ((await citizen.getAttribute('html', 'lang')) !== 'en') throw new Error('the English link did not switch the language');
  await check(citizen, 'catalogue-english');
  await Promise.all([citizen.waitForLoadState('load'), citizen.click('a[href^="/lang/vi"]')]);
  if ((await citizen.getAttribute('html', 'lang')) !== 'vi') throw new Error('the Vietnamese link did not switch back');
  await citizen.fill('#q', 'khai sinh');
  await Promise.all([citizen.waitForLoadState('load'), citizen.click('form[role=search] button')]);
  await check(citizen, 'catalogue-search');
  await Promise.all([citizen.waitForLoadState('load'), citizen.click('a[href="/procedures/1.001193"]')]);
  await check(citizen, 'procedure');
  await Promise.all([citizen.waitForLoadState('load'), citizen.click('a[href="/procedures/1.001193/apply"]')]);
  await check(citizen, 'sign-in');
  await signInWithProvider(citizen, process.env.HOSO_CITIZEN_ID || '001090000001');
  if (!citizen.url().endsWith('/procedures/1.001193/apply')) throw new Error(`after signing in the citizen is at ${citizen.url()}`);
  await check(citizen, 'apply');
  // Sent with the papers chosen but nothing typed: every required field gets its Vietnamese
  // message next to it, and the chosen files are kept, so they need not be chosen again.
  await citizen.fill('[id="form:noi_sinh"]', 'Bệnh viện Phụ sản Hà Nội');
  await citizen.setInputFiles('[id="doc:to_khai"]', { name: 'to-khai.pdf', mimeType: 'application/pdf', buffer: PDF });
  await citizen.setInputFiles('[id="doc:giay_chung_sinh"]', { name: 'giay-chung-sinh.pdf', mimeType: 'application/pdf', buffer: PDF });
  await Promise.all([citizen.waitForLoadState('load'), citizen.click('form[enctype] button[type=submit]')]);
  const childError = await citizen.locator('[id="form:ho_ten_tre-error"]').textContent();
  if (!childError || !childError.includes('Vui lòng nhập')) throw new Error(`no Vietnamese message next to the child's name: ${childError}`);
  for (const kept of ['to_khai', 'giay_chung_sinh']) {
    const said = await citizen.locator(`[id="doc:${kept}-kept"]`).textContent();
    if (!said || !said.includes('Đã giữ tệp')) throw new Error(`the file for ${kept} was not kept: ${said}`);
  }
  if ((await citizen.inputValue('[id="form:noi_sinh"]')) !== 'Bệnh viện Phụ sản Hà Nội') throw new Error('what was typed did not survive the error');
  await check(citizen, 'apply-errors');
  await citizen.fill('[id="applicant:email"]', 'binh@example.vn');
  await citizen.selectOption('#receiving_unit', '000.00.17.H21');
  await citizen.fill('[id="form:ho_ten_tre"]', 'Nguyễn Minh An');
  await citizen.fill('[id="form:ngay_sinh"]', '20/11/2026');
  await citizen.selectOption('[id="form:gioi_tinh"]', 'Nam');
  await citizen.fill('[id="form:noi_sinh"]', 'Bệnh viện Phụ sản Hà Nội');
  await citizen.fill('[id="form:so_dinh_danh_nguoi_yeu_cau"]', process.env.HOSO_CITIZEN_ID || '001090000001');
  await Promise.all([citizen.waitForLoadState('load'), citizen.click('form[enctype] button[type=submit]')]);
  const code = (await citizen.locator('#dossier-code').textContent())?.trim();
  if (!code) throw new Error(`no dossier code after submitting; at ${citizen.url()}: ${await citizen.locator('main').innerText()}`);
  console.log(`submitted ${code}`);
  await check(citizen, 'receipt');
  const lookupKey = (await citizen.locator('dt:text-is("Mã tra cứu") + dd').textContent())?.trim();
  if (!lookupKey) throw new Error('the dossier page shows no lookup key');
  // Form 01 is issued at receipt: until then the page says so instead of a link that fails.
  if (await citizen.locator('a[href$="/forms/01"]').count() !== 0) throw new Error('a receipt link before the dossier is received');
  if (await citizen.locator('#receipt-later').count() !== 1) throw new Error('the page does not say when the receipt comes');

  // The officers, at their desks, each from their inbox.
  const desk = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'vi-VN' });
  for (const [name, token, actions] of [
    ['desk', env('HOSO_DESK'), ['receive', 'chuyen_tham_dinh']],
    ['justice', env('HOSO_JUSTICE'), ['trinh_ky']],
    ['chair', env('HOSO_CHAIR'), ['phe_duyet']],
    ['desk-return', env('HOSO_DESK'), ['return_result']],
  ]) {
    const officer = await desk.newPage();
    watch(officer, name);
    await officer.goto(`${base}/sign-in?next=%2Finbox`);
    await signIn(officer, token);
    await check(officer, `inbox-${name}`);
    await Promise.all([officer.waitForLoadState('load'), officer.click(`a[href="/dossiers/${code}"]`)]);
    await check(officer, `dossier-${name}`);
    for (const action of actions) await act(officer, action);
    if (name === 'desk') {
      await Promise.all([officer.waitForLoadState('load'), officer.click(`a[href="/dossiers/${code}/forms/06"]`)]);
      await check(officer, 'control-slip');
    }
    await desk.clearCookies();
    await officer.close();
  }

  // The desk officer on a phone: the inbox and the dossier page hold up on a narrow screen.
  const officerPhone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, locale: 'vi-VN' });
  const pocket = await officerPhone.newPage();
  watch(pocket, 'desk-phone');
  await pocket.goto(`${base}/sign-in?next=%2Finbox`);
  await signIn(pocket, env('HOSO_DESK'));
  await check(pocket, 'inbox-desk-phone');
  await pocket.goto(`${base}/dossiers/${code}`);
  if (!(await pocket.locator('#status').textContent())?.trim()) throw new Error('the officer sees no status on a phone');
  await check(pocket, 'dossier-desk-phone');
  await officerPhone.close();

  // The citizen sees the result returned and rates the service.
  await citizen.goto(`${base}/dossiers/${code}`);
  const status = (await citizen.locator('#status').textContent())?.trim();
  console.log(`the citizen sees: ${status}`);
  if (!status || !/trả kết quả/i.test(status)) throw new Error(`the citizen sees ${status}, not the result returned`);
  await check(citizen, 'returned');
  await Promise.all([citizen.waitForLoadState('load'), citizen.click('a[href$="/forms/01"]')]);
  await check(citizen, 'form-01');
  await citizen.goto(`${base}/dossiers/${code}`);
  // On the phone the timeline picture is the top-to-bottom one, and it fits the screen.
  const timeline = citizen.locator('img.timeline');
  await timeline.scrollIntoViewIfNeeded();
  await citizen.waitForFunction(() => { const img = document.querySelector('img.timeline'); return img && img.complete && img.naturalWidth > 0; });
  const picked = await timeline.evaluate((img) => ({ src: img.currentSrc, width: img.getBoundingClientRect().width, natural: img.naturalWidth }));
  if (!picked.src.includes('layout=vertical')) throw new Error(`the phone shows the wide timeline: ${picked.src}`);
  if (picked.width < picked.natural * 0.9) throw new Error(`the phone's timeline is shrunk to ${picked.width}px of ${picked.natural}px`);
  const resultFile = citizen.locator('#result-files a');
  if (await resultFile.count() !== 1) throw new Error('the citizen sees no electronic result to download');
  const signedBy = await citizen.locator('#result-files li').textContent();
  if (!signedBy?.includes('Chủ tịch UBND phường')) throw new Error(`the result's signer is not shown: ${signedBy}`);
  await citizen.check('#very_satisfied');
  await Promise.all([citizen.waitForLoadState('load'), citizen.click('form[action$="/rate"] button')]);
  await check(citizen, 'rated');

  // Anyone with the receipt looks the dossier up, without signing in.
  const street = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, locale: 'vi-VN' });
  const visitor = await street.newPage();
  watch(visitor, 'visitor');
  await visitor.goto(`${base}/tra-cuu`);
  await visitor.fill('#ma', code);
  await visitor.fill('#key', lookupKey);
  await Promise.all([visitor.waitForLoadState('load'), visitor.click('#lookup-form button')]);
  const found = await visitor.locator('#lookup-result').innerText();
  if (!found.includes('Đã trả kết quả') || found.includes('Nguyễn')) throw new Error(`the lookup shows: ${found}`);
  await check(visitor, 'lookup');

  // The citizen signs out of hoso and of the provider.
  await Promise.all([citizen.waitForURL((url) => url.href.startsWith(env('HOSO_OIDC_ISSUER'))), citizen.click('form[action="/sign-out"] button')]);
  await snap(citizen, 'sso-sign-out');

  // The auditor finds the dossier and verifies its chain.
  const audit = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'vi-VN' });
  const auditor = await audit.newPage();
  watch(auditor, 'auditor');
  await auditor.goto(`${base}/sign-in?next=%2Faudit`);
  await signIn(auditor, env('HOSO_AUDITOR'));
  await auditor.fill('#q', code);
  await Promise.all([auditor.waitForLoadState('load'), auditor.click('form[role=search] button')]);
  await check(auditor, 'audit-search');
  await Promise.all([auditor.waitForLoadState('load'), auditor.click(`a[href="/dossiers/${code}"]`)]);
  await Promise.all([auditor.waitForLoadState('load'), auditor.click('form[action$="/verify"] button')]);
  const verdict = (await auditor.locator('#verify-result').textContent())?.trim();
  console.log(`the auditor sees: ${verdict}`);
  if (!verdict || !verdict.includes('toàn vẹn')) throw new Error(`the chain is not reported intact: ${verdict}`);
  await check(auditor, 'verified');
  await Promise.all([auditor.waitForLoadState('load'), auditor.click('a[href="/reports"]')]);
  const received = Number((await auditor.locator('#received').textContent())?.trim());
  console.log(`the auditor's indicators: ${received} dossiers received this month`);
  if (!(received >= 1)) throw new Error(`the indicators page counts ${received} dossiers received`);
  await check(auditor, 'indicators');

  // A procedure designer: the catalogue's versions and their diagrams, a file the validator
  // refuses with its messages, and a valid file published as the next version.
  const design = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'vi-VN' });
  const designer = await design.newPage();
  watch(designer, 'designer');
  await designer.goto(`${base}/sign-in?next=%2Fdesign`);
  await signIn(designer, env('HOSO_DESIGNER'));
  await check(designer, 'design');
  await Promise.all([designer.waitForLoadState('load'), designer.click('a[href="/design/1.000894/2"]')]);
  if ((await designer.locator('figure.diagram svg g.node').count()) < 5) throw new Error('the marriage registration diagram has too few boxes');
  await check(designer, 'design-diagram');
  await designer.goto(`${base}/design`);
  await designer.setInputFiles('#procedure-file', 'tests/fixtures/bad-procedures/wrong-type.toml');
  await Promise.all([designer.waitForLoadState('load'), designer.click('form[action="/design/check"] button')]);
  const refusal = await designer.locator('#check-result').innerText();
  if (!refusal.includes('wrong-type.toml:')) throw new Error(`the validator's messages do not name the file and line: ${refusal}`);
  if (!refusal.includes('phải là một số nguyên')) throw new Error(`the validator's messages are not in Vietnamese: ${refusal}`);
  await check(designer, 'design-refused');
  await designer.setInputFiles('#procedure-file', 'tests/fixtures/designer/2.000635-v4.toml');
  await Promise.all([designer.waitForLoadState('load'), designer.click('form[action="/design/check"] button')]);
  await check(designer, 'design-checked');
  await Promise.all([designer.waitForLoadState('load'), designer.click('form[action="/design/publish"] button')]);
  if (!designer.url().endsWith('/design/2.000635/4')) throw new Error(`publishing led to ${designer.url()}`);
  await check(designer, 'design-published');

  // A newcomer's first run (`hoso serve --demo`), on a phone: the sign-in page offers one account
  // per role, and each leads to that person's own page.
  const demoBase = process.env.HOSO_DEMO_BASE;
  if (demoBase) {
    const demo = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'vi-VN' });
    const newcomer = await demo.newPage();
    watch(newcomer, 'newcomer');
    await newcomer.goto(`${demoBase}/sign-in`);
    const accounts = await newcomer.locator('#demo-accounts button').count();
    if (accounts < 5) throw new Error(`the demo's sign-in page offers ${accounts} accounts`);
    await check(newcomer, 'demo-sign-in');
    for (const position of [0, accounts - 1]) {
      await newcomer.goto(`${demoBase}/sign-in`);
      await Promise.all([newcomer.waitForLoadState('load'), newcomer.locator('#demo-accounts button').nth(position).click()]);
      if (new URL(newcomer.url()).pathname === '/sign-in') throw new Error(`demo account ${position} did not sign in`);
      await check(newcomer, `demo-home-${position}`);
      await Promise.all([newcomer.waitForLoadState('load'), newcomer.click('form[action="/sign-out"] button')]);
    }
  }
} finally {
  await browser.close();
}

if (problems.length > 0) {
  console.error(`${problems.length} problems:\n${problems.join('\n')}`);
  process.exit(1);
}
console.log(`walk done: ${step} pages, no serious or critical accessibility violation, no CSP violation`);
