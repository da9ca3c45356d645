export type TagType = 'private' | 'public' | 'shared';
export const TAG_TYPES: readonly TagType[] = ['private', 'public', 'shared'];

export interface DbTag {
  id: string;
  /** Creation order; `GET /tags` pages in it. */
  seq: number;
  name: string;
  type: TagType;
  ownerUserId: string;
  /** For shared tags: who besides the owner sees them. */
  sharedWithUserIds: readonly string[];
}

/**
 * Tags of the tenant. Visibility (docs/sandbox/sansan.md "Visibility"): public tags to
 * everyone, private tags to their owner only, shared tags to their owner and the users
 * they are shared with.
 */
export class TagStore {
  readonly byId = new Map<string, DbTag>();
  /** In `seq` order. */
  readonly list: DbTag[] = [];
  nextSeq = 1;

  add(tag: Omit<DbTag, 'seq'> & { seq?: number }): DbTag {
    const stored: DbTag = { ...tag, seq: tag.seq ?? this.nextSeq };
    this.nextSeq = Math.max(this.nextSeq, stored.seq + 1);
    this.byId.set(stored.id, stored);
    this.list.push(stored);
    return stored;
  }

  /** Deleted in Sansan: gone from `GET /tags` and from every card that had it (cards keep their update time). */
  remove(id: string): boolean {
    if (!this.byId.delete(id)) return false;
    this.list.splice(
      this.list.findIndex((t) => t.id === id),
      1,
    );
    return true;
  }

  clear(): void {
    this.byId.clear();
    this.list.length = 0;
    this.nextSeq = 1;
  }

  visibleTo(userId: string, tag: DbTag): boolean {
    if (tag.type === 'public' || tag.ownerUserId === userId) return true;
    return tag.type === 'shared' && tag.sharedWithUserIds.includes(userId);
  }
}
