/**
 * The users store on both engines: migration 0011 turning the one admin
 * password into the owner `admin` (hash and sessions kept), invitations used
 * once even when two browsers race, the last owner kept when two owners demote
 * each other at once, and removal deleting every session.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import { PGlite } from '@electric-sql/pglite';
import { openDatabase, wrapPglite, type Database } from '../../src/db/open.ts';
import { applyMigrations, migrationsFolder } from '../../src/db/migrate.ts';
import { hashPassword, verifyPassword, ensureAdminPassword, readPasswordHash } from '../../src/web/admin/password.ts';
import { SessionStore } from '../../src/web/admin/sessions.ts';
import { UserStore } from '../../src/web/admin/users.ts';
import { engines, createTestDatabase, type TestDatabase } from '../support/databases.ts';

/** The migrations folder as it was before users: 0000–0010. */
function foldersBeforeUsers(): string {
  const dir = mkdtempSync(join(tmpdir(), 'spokes-migrations-'));
  cpSync(migrationsFolder, dir, { recursive: true });
  const journalPath = join(dir, 'meta', '_journal.json');
  const journal = JSON.parse(readFileSync(journalPath, 'utf8')) as { entries: { tag: string }[] };
  const at = journal.entries.findIndex((e) => e.tag.endsWith('users-and-roles'));
  assert.ok(at > 0, 'the users migration is in the journal');
  journal.entries = journal.entries.slice(0, at);
  writeFileSync(journalPath, JSON.stringify(journal));
  return dir;
}

for (const engine of engines) {
  describe(`users store on ${engine}`, () => {
    let t: TestDatabase;
    let database: Database;
    let users: UserStore;
    let sessions: SessionStore;
    const oldFolder = foldersBeforeUsers();

    before(async () => {
      t = await createTestDatabase(engine);
      // PGlite in memory: a data directory would start from the template, with every migration applied.
      database = engine === 'pglite' ? wrapPglite(await PGlite.create()) : await openDatabase(t);
      users = new UserStore(database.db);
      sessions = new SessionStore(database.db);
    });
    after(async () => {
      await database?.close();
      await t?.drop();
      rmSync(oldFolder, { recursive: true, force: true });
    });

    it('migrates the one admin password to the owner `admin`, keeping its hash and its signed-in sessions', async () => {
      const migrate = engine === 'pglite' ? migratePglite : migratePg;
      await migrate(database.db as never, { migrationsFolder: oldFolder });
      const hash = await hashPassword('the-old-admin-password');
      await database.query(sql`insert into app_settings (key, value) values ('admin_password', ${JSON.stringify({ hash })}::jsonb)`);
      await database.query(sql`insert into admin_sessions (id_hash, csrf_token, expires_at) values ('a-session-hash', 'csrf', now() + interval '1 hour')`);
      await applyMigrations(database);

      assert.equal(await readPasswordHash(database.db), hash);
      const [admin] = await users.list();
      assert.deepEqual({ email: admin!.email, role: admin!.role }, { email: 'admin', role: 'owner' });
      const rows = (await database.query(sql`select user_id from admin_sessions where id_hash = 'a-session-hash'`)) as { user_id: string }[];
      assert.deepEqual(rows, [{ user_id: admin!.id }]);
      assert.deepEqual(await database.query(sql`select key from app_settings where key = 'admin_password'`), []);
      // The start that follows keeps it: no new password is generated, the old one still signs in.
      assert.deepEqual(await ensureAdminPassword(database.db, undefined), { source: 'stored' });
      assert.ok(await verifyPassword('the-old-admin-password', (await readPasswordHash(database.db))!));
    });

    it('lets an invitation be used once, even by two browsers at the same moment', async () => {
      const { token } = await users.invite('race@example.com', 'manager', null);
      assert.deepEqual(
        { ...(await users.checkInvite(token)), expiresAt: undefined },
        {
          email: 'race@example.com',
          role: 'manager',
          expiresAt: undefined,
        },
      );
      const results = await Promise.allSettled([users.acceptInvite(token, 'first-password-long'), users.acceptInvite(token, 'second-password-long')]);
      assert.deepEqual(results.map((r) => r.status).sort(), ['fulfilled', 'rejected']);
      const refused = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
      assert.equal(refused.reason.status, 410);
      assert.equal(await users.checkInvite(token), undefined);
      assert.equal((await users.list()).filter((u) => u.email === 'race@example.com').length, 1);
    });

    it('keeps the last owner when two owners demote each other at once, and removal deletes every session', async () => {
      const { token } = await users.invite('owner2@example.com', 'owner', null);
      const second = await users.acceptInvite(token, 'second-owner-password');
      const admin = (await users.list()).find((u) => u.email === 'admin')!;
      const results = await Promise.allSettled([users.setRole(admin.id, 'member'), users.setRole(second.id, 'member')]);
      assert.deepEqual(results.map((r) => r.status).sort(), ['fulfilled', 'rejected']);
      assert.equal((await users.list()).filter((u) => u.role === 'owner').length, 1);
      const lastOwner = (await users.list()).find((u) => u.role === 'owner')!;
      await assert.rejects(users.remove(lastOwner.id), /last owner/);
      await assert.rejects(users.setRole(lastOwner.id, 'manager'), /last owner/);

      const demoted = (await users.list()).find((u) => u.role === 'member' && u.id !== lastOwner.id && (u.id === admin.id || u.id === second.id))!;
      const a = await sessions.create(demoted);
      const b = await sessions.create(demoted);
      assert.ok(await sessions.find(a.id));
      await users.remove(demoted.id);
      assert.equal(await sessions.find(a.id), undefined);
      assert.equal(await sessions.find(b.id), undefined);
    });

    it('brings the `admin` owner back with SPOKES_ADMIN_PASSWORD, as an owner, signing its old sessions out', async () => {
      const before = (await users.list()).find((u) => u.email === 'admin');
      if (before) {
        const s = await sessions.create(before);
        await ensureAdminPassword(database.db, 'a-recovery-password');
        assert.equal(await sessions.find(s.id), undefined);
      } else {
        await ensureAdminPassword(database.db, 'a-recovery-password');
      }
      const admin = (await users.list()).find((u) => u.email === 'admin')!;
      assert.equal(admin.role, 'owner');
      assert.ok(await verifyPassword('a-recovery-password', (await readPasswordHash(database.db))!));
    });
  });
}
