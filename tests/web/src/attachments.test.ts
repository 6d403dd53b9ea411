import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import type { ScriptedModelApi } from './harness/fake-model-api.js';
import { ClaudeBrowserSuite } from './harness/claude-browser-suite.js';
import { screenshot } from './harness/browser.js';
import { sendMessage, waitForQuiet } from './harness/chat.js';
import { waitFor } from './harness/wait-for.js';
import { TINY_PNG as PHOTO } from '@baton/server/testing';

/** The image blocks of every user message the model API was sent, as `media_type:base64`. */
function imagesSentToModel(api: ScriptedModelApi): string[] {
  const found: string[] = [];
  for (const call of api.modelCalls()) {
    const messages = (call as { messages?: { role: string; content: unknown }[] }).messages ?? [];
    for (const m of messages) {
      if (m.role !== 'user' || !Array.isArray(m.content)) continue;
      for (const block of m.content as { type?: string; source?: Record<string, string> }[]) {
        if (block.type === 'image' && block.source?.['type'] === 'base64')
          found.push(`${block.source['media_type']}:${block.source['data']}`);
      }
    }
  }
  return found;
}

/** Whether the transcript on `page` shows a loaded thumbnail of the attachment `id`. */
function thumbnailLoaded(page: Page, id: string): Promise<boolean> {
  return page
    .locator(`.transcript .attachment-thumb[data-attachment-id="${id}"] img`)
    .evaluateAll((imgs) =>
      imgs.some(
        (img) => (img as HTMLImageElement).complete && (img as HTMLImageElement).naturalWidth > 0,
      ),
    );
}

// Issue 12, "images and files from any device": a photo attached on a phone reaches the model
// as an image block with the same bytes, through the real Claude Code CLI, and every device
// shows its thumbnail. A file of a type baton does not take is refused on the phone, clearly,
// and the conversation goes on.
describe('attaching a photo from a phone (issue 12)', { timeout: 300_000 }, () => {
  const claude = new ClaudeBrowserSuite('attachments');
  const s = claude.suite;

  it('a photo from a phone reaches the model with the same bytes; both devices show it', async () => {
    const model = claude.api;
    const baton = s.baton;
    const session = await claude.claudeSession('photo');
    const phoneDevice = await s.device({
      viewport: { width: 390, height: 844 },
      deviceScaleFactor: 2,
      isMobile: true,
      hasTouch: true,
    });
    const phone = await phoneDevice.open(baton.signInUrl);
    await phone.goto(`${baton.url}/s/${session.id}`);
    await phone.locator('.composer').waitFor();
    const laptop = await (await s.device()).open(baton.signInUrl);
    await laptop.goto(`${baton.url}/s/${session.id}`);
    await laptop.locator('.composer').waitFor();

    // A file baton does not take: refused on the phone with the accepted types.
    await phone.locator('.composer input[type=file]:not([accept="image/*"])').setInputFiles({
      name: 'archive.zip',
      mimeType: 'image/png',
      // A ZIP archive's header: binary (NUL bytes), and not a type baton takes.
      buffer: Buffer.from('PK\u0003\u0004\u0014\u0000\u0000\u0000\u0008\u0000archive', 'latin1'),
    });
    const refused = phone.locator('.attachment-chip[data-status="failed"]');
    await refused.waitFor();
    assert.match(await refused.innerText(), /image\/png, image\/jpeg/);
    const box = phone.getByRole('textbox', { name: 'Message' });
    await box.fill('not without it');
    assert.ok(
      await phone.getByRole('button', { name: 'Send' }).isDisabled(),
      'Send waits until the refused file is removed: nothing is dropped unseen',
    );
    await box.fill('');
    await phone.getByRole('button', { name: 'Remove archive.zip' }).tap();
    // Chromium logs every 4xx answer to the console: this refusal was the point, so it is not
    // a page error (anything else the phone logs still fails the suite).
    const expected = phoneDevice.errors.findIndex((e) => /status of 415/.test(e));
    assert.ok(expected >= 0, 'the upload was refused with 415');
    phoneDevice.errors.splice(expected, 1);

    // The camera's input: `accept="image/*"` is what makes a phone offer it.
    await phone.locator('.composer input[type=file][accept="image/*"]').setInputFiles({
      name: 'photo.png',
      mimeType: 'image/png',
      buffer: PHOTO,
    });
    await phone.locator('.attachment-chip[data-status="ready"]').waitFor();
    await screenshot(phone, 'attachment-chip-phone');
    model.script({ kind: 'text', text: 'A single pixel.', chunks: 2, delayMs: 10 });
    await sendMessage(phone, 'What is in this photo?');
    // The reply first: quiet alone can hold in the moment between Enter and the turn's start,
    // before the model was called at all.
    await phone
      .locator('.transcript .msg-assistant', { hasText: 'A single pixel.' })
      .waitFor({ timeout: 60_000 });
    await waitForQuiet(phone);

    assert.deepEqual(
      imagesSentToModel(model),
      [`image/png:${PHOTO.toString('base64')}`],
      'the model got one image block holding the photo’s bytes',
    );
    const id = createHash('sha256').update(PHOTO).digest('hex');
    for (const [name, page] of [
      ['phone', phone],
      ['laptop', laptop],
    ] as const)
      await waitFor(`the thumbnail on the ${name}`, () => thumbnailLoaded(page, id));
    assert.equal(await phone.locator('.attachment-chip').count(), 0, 'the composer is empty again');
    await screenshot(phone, 'attachment-thumbnail-phone');
  });
});
