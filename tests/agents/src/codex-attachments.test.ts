import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { agentSuite } from './agent-suite.js';
import { createSession } from './baton-fixture.js';
import { codexSessionConfig, tempDir } from './agent-env.js';
import { FakeOpenAi } from './fake-openai.js';
import { TINY_PNG as PHOTO } from '@baton/server/testing';

// Issue 12: an image sent from a phone reaches the model through the real Codex app-server as
// a `localImage` input (Codex reads the file baton saved and sends it as an image); a text file
// reaches it by its saved path. (tests/web/src/attachments.test.ts does the same for Claude
// Code from a phone-sized browser.)
describe('codex: images and files from a device', { timeout: 180_000 }, () => {
  const suite = agentSuite(() => new FakeOpenAi());

  it('a photo reaches the model as an image, a file by its path', async () => {
    const api = await suite.freshApi();
    const phone = await suite.device('phone', 'mobile');
    const session = await createSession(
      phone,
      'codex',
      codexSessionConfig(api, tempDir('codex-attach')),
    );
    await phone.subscribe(session.id);
    const photo = await phone.attach(session.id, PHOTO, 'dot.png');
    const notes = await phone.attach(session.id, Buffer.from('remember the milk\n'), 'notes.md');
    api.script({ kind: 'text', text: 'A dot and a note.' });
    await phone.say(session.id, 'cx-1', 'what are these?', [photo, notes]);
    await phone.waitFor('the turn to end', () => phone.turnsEnded() === 1);
    assert.deepEqual(
      phone.ofType('agent.turn.ended').map((e) => e.data.outcome),
      ['completed'],
    );

    const request = JSON.stringify((api.modelCalls().at(-1) as { input: unknown }).input);
    const images = [...request.matchAll(/data:image\/png;base64,([A-Za-z0-9+/=]+)/g)].map(
      (m) => m[1]!,
    );
    assert.equal(images.length, 1, 'one image in the model request');
    assert.deepEqual(Buffer.from(images[0]!, 'base64'), PHOTO, 'with the photo’s bytes');
    assert.match(request, /what are these\?/);
    assert.match(request, new RegExp(`notes\\.md.*${notes.id}\\.txt`), 'the file by its path');
  });
});
