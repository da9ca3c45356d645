/**
 * Salespeople's credentials (agent-auth.ts) on both engines: a session and a
 * sign-in link name one owner; revoking that owner ends theirs only, revoking
 * everyone ends all; revocations made at the same moment are all kept (the
 * generations are updated in SQL, not read-modified-written).
 */
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { openDatabase, type Database } from '../../src/db/open.ts';
import { appSettings } from '../../src/db/schema.ts';
import { applyMigrations } from '../../src/db/migrate.ts';
import { createSecretBox } from '../../src/secrets/secret-box.ts';
import { AgentAuth } from '../../src/connectors/telephony/agent-auth.ts';
import { engines, createTestDatabase } from '../support/databases.ts';

for (const engine of engines) {
  describe(`agent credentials (${engine})`, () => {
    const cleanup: (() => Promise<void>)[] = [];
    after(async () => {
      for (const c of cleanup.reverse()) await c();
    });

    async function fresh(): Promise<{ database: Database; auth: () => AgentAuth }> {
      const t = await createTestDatabase(engine);
      cleanup.push(() => t.drop());
      const database = await openDatabase(t);
      cleanup.push(() => database.close());
      await applyMigrations(database);
      const box = createSecretBox(randomBytes(32));
      // A new instance per check: no cached generation, as in another process.
      return { database, auth: () => new AgentAuth(database.db, box) };
    }

    it("revokes one owner's sessions and link, then everyone's, and keeps simultaneous revocations", async () => {
      const { auth, database } = await fresh();
      const [a, b] = [await auth().issueSession('101'), await auth().issueSession('202')];
      const linkA = await auth().signInToken('101');
      assert.equal((await auth().verifySession(a.token))?.ownerId, '101');
      assert.equal(await auth().verifySignInToken(linkA), '101');

      await auth().revokeOwner('101');
      assert.equal(await auth().verifySession(a.token), null);
      assert.equal(await auth().verifySignInToken(linkA), null);
      assert.equal((await auth().verifySession(b.token))?.ownerId, '202', 'another owner stays signed in');
      const newLink = await auth().signInToken('101');
      assert.notEqual(newLink, linkA);
      assert.equal(await auth().verifySignInToken(newLink), '101');

      // Five revocations at once (two admins, an unbinding): each one counts.
      const before = await auth().issueSession('303');
      await Promise.all(Array.from({ length: 5 }, () => auth().revokeOwner('303')));
      assert.equal(await auth().verifySession(before.token), null);
      const [row] = await database.db.select().from(appSettings).where(eq(appSettings.key, 'telephony.agent_generation'));
      assert.equal((row!.value as { owners: Record<string, number> }).owners['303'], 5);

      const generation = await auth().generation();
      assert.equal(await auth().rotate(), generation + 1);
      for (const token of [b.token, newLink]) {
        assert.equal(await auth().verifySession(token), null);
        assert.equal(await auth().verifySignInToken(token), null);
      }
    });
  });
}
