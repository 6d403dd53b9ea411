import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { BatonProcess } from './harness/baton-process.js';
import { BrowserDevice, connected, launchBrowser, screenshot } from './harness/browser.js';
import { tempDir } from './harness/paths.js';
import { waitFor } from './harness/wait-for.js';

/** The role the header shows for this window's device. */
const myRole = (page: Page) => page.getByTestId('my-role').getAttribute('data-role');

// The owner manages devices from the Devices page; the other device follows its role live (no
// reload), sees the list read-only, renames itself; the audit view shows and filters it all.
describe('the devices page and the audit view', { timeout: 180_000 }, () => {
  let baton: BatonProcess;
  let browser: Browser;
  const devices: BrowserDevice[] = [];

  before(async () => {
    baton = await BatonProcess.start(tempDir('devices'), { HOME: tempDir('home') });
    browser = await launchBrowser();
  });
  after(async () => {
    for (const d of devices) await d.close().catch(() => {});
    await browser?.close();
    await baton?.close();
    assert.deepEqual(
      devices.flatMap((d) => d.errors),
      [],
      'no page errors',
    );
  });

  it('the owner changes a device role; the other device shows it without reload; audit filters', async () => {
    const laptop = await BrowserDevice.create(browser);
    const phone = await BrowserDevice.create(browser, {
      viewport: { width: 390, height: 844 },
      isMobile: true,
      hasTouch: true,
    });
    devices.push(laptop, phone);

    // The phone is an editor device (registered by the owner; the pairing flow is tested apart).
    const reg = await fetch(`${baton.url}/api/devices`, {
      method: 'POST',
      headers: { authorization: `Bearer ${baton.ownerToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'phone', role: 'editor' }),
    });
    const cred = (await reg.json()) as { deviceId: string; token: string };
    const p = await phone.open(`${baton.url}/devices`, { connected: false });
    await p.evaluate((c) => localStorage.setItem('baton.device', JSON.stringify(c)), {
      deviceId: cred.deviceId,
      token: cred.token,
    });
    await p.reload();
    await connected(p);
    await waitFor('the phone to show its role', async () => (await myRole(p)) === 'editor');
    // Read-only for a non-owner: no role select, no revoke; it may rename itself only.
    const phoneRow = p.locator(`tr[data-device-id="${cred.deviceId}"]`);
    await phoneRow.waitFor();
    assert.equal(await p.locator('.device-table select').count(), 0, 'no role controls');
    assert.equal(await p.getByRole('button', { name: /^Revoke/ }).count(), 0, 'no revoke');
    assert.equal(
      await p.getByRole('button', { name: /^Rename/ }).count(),
      1,
      'renames itself only',
    );
    assert.equal(await p.getByRole('link', { name: 'Audit' }).count(), 0, 'no audit link');
    // A marker that a reload would wipe.
    await p.evaluate(() => ((window as unknown as { marker: number }).marker = 42));

    // The owner's Devices page (reached from the navigation).
    const a = await laptop.open(baton.signInUrl);
    await waitFor('the laptop to be an owner', async () => (await myRole(a)) === 'owner');
    await a.getByRole('link', { name: 'Devices' }).click();
    await a.waitForURL(/\/devices$/);
    const row = a.locator(`tr[data-device-id="${cred.deviceId}"]`);
    await row.waitFor();
    assert.match((await row.textContent()) ?? '', /phone/);
    await waitFor('the phone shown online', async () =>
      /online/.test((await row.locator('[data-status]').textContent()) ?? ''),
    );
    await row.getByLabel('Role of phone').selectOption('viewer');

    // The phone's window shows its new role without reloading.
    await waitFor('the phone to show viewer', async () => (await myRole(p)) === 'viewer').catch(
      async (e: unknown) => {
        await screenshot(p, 'devices-role-not-shown');
        throw e;
      },
    );
    assert.equal(await p.evaluate(() => (window as unknown as { marker?: number }).marker), 42);
    await waitFor(
      'the owner list to say viewer',
      async () => (await row.getAttribute('data-role')) === 'viewer',
    );

    // A viewer is not offered what it may not do: no session creation.
    await p.getByRole('link', { name: 'Sessions', exact: true }).click();
    await p.getByRole('heading', { name: 'Sessions' }).waitFor();
    assert.equal(
      await p.getByRole('button', { name: 'New session', exact: true }).count(),
      0,
      'no create form',
    );
    await p.getByRole('link', { name: 'Devices' }).click();

    // The phone names itself.
    await p.getByRole('button', { name: 'Rename phone' }).click();
    await p.getByLabel('New name for phone').fill('kitchen phone');
    await p.getByRole('button', { name: 'Save' }).click();
    await waitFor('the owner list to show the new name', async () =>
      /kitchen phone/.test((await row.textContent()) ?? ''),
    );

    // The audit view: every change, with who did it; filtered by device.
    await a.getByRole('link', { name: 'Audit' }).click();
    await a.waitForURL(/\/audit$/);
    const rows = a.locator('.audit-table tbody tr');
    await waitFor('the role change and the rename in the audit log', async () => {
      const actions = await rows.evaluateAll((trs) =>
        trs.map((t) => t.getAttribute('data-action')),
      );
      return actions.includes('device.role') && actions.includes('device.rename') ? actions : false;
    });
    const roleRow = a.locator('.audit-table tr[data-action="device.role"]');
    assert.match((await roleRow.textContent()) ?? '', /made phone viewer \(was editor\)/);
    await a.getByRole('combobox', { name: /^Device/ }).selectOption(cred.deviceId);
    await waitFor('only the phone’s own entries', async () => {
      const ids = await rows.evaluateAll((trs) => trs.map((t) => t.getAttribute('data-device-id')));
      return ids.length > 0 && ids.every((id) => id === cred.deviceId) ? ids : false;
    });
    assert.deepEqual(
      await rows.evaluateAll((trs) => trs.map((t) => t.getAttribute('data-action'))),
      ['device.rename'],
    );
    assert.match((await rows.first().textContent()) ?? '', /kitchen phone.*viewer/);
    await screenshot(a, 'audit-view');

    // The owner lets every device read it; the phone then reads it.
    await a.getByLabel('Who may read the audit log:').selectOption('viewer');
    await waitFor('the setting stored', async () => {
      const r = await fetch(`${baton.url}/api/settings`, {
        headers: { authorization: `Bearer ${cred.token}` },
      });
      return ((await r.json()) as { auditReadRole: string }).auditReadRole === 'viewer';
    });
    await p.goto(`${baton.url}/audit`);
    await connected(p);
    await p.locator('.audit-table tr[data-action="device.role"]').waitFor();
    await screenshot(p, 'devices-phone-audit');

    // Revoked from the Devices page: the phone's window is signed out at once.
    await a.getByRole('link', { name: 'Devices' }).click();
    await row.getByRole('button', { name: 'Revoke kitchen phone' }).click();
    await row.getByRole('button', { name: 'Revoke kitchen phone' }).click();
    await waitFor(
      'the phone to leave the app',
      async () => (await p.locator('.connection[data-status="connected"]').count()) === 0,
    );
    await waitFor(
      'the phone listed as revoked',
      async () =>
        (await a.locator(`.revoked-devices tr[data-device-id="${cred.deviceId}"]`).count()) === 1,
    );
  });
});
