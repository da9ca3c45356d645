/**
 * Company phonebooks ("Phonebook" endpoints; pbx-apis.md §1.7). No API call
 * marks a phonebook read-only or "CRM" [U], so Spokes marks the ones it owns
 * with a name suffix (manifest `crmPhonebookSuffix`) and keeps them in line
 * itself (SPEC T4); disconnecting removes the mark (T10).
 */
import { ConflictError, NotFoundError, ValidationError } from '../../../errors.ts';
import type { PbxPhonebook } from '../pbx.ts';
import { errcodeOf } from './api-errors.ts';
import type { YeastarClient } from './client.ts';
import { yeastarManifest as M } from './manifest.ts';
import { apiEmptySchema, apiIdSchema, apiPhonebookRowSchema, apiPhonebookSchema } from './wire.ts';

const SUFFIX = M.crmPhonebookSuffix;

export function numericId(id: string, field: string): number {
  if (!/^\d{1,12}$/.test(id.trim())) throw new ValidationError(`${field} must be a PBX id (digits).`, [{ field, message: 'not a PBX id' }]);
  return Number(id);
}

const summary = (id: number, name: string, contactCount: number): PbxPhonebook => ({ id: String(id), name, contactCount, crmOwned: name.endsWith(SUFFIX) });

export class YeastarPhonebooks {
  readonly #client: YeastarClient;
  readonly #pageSize: number;

  constructor(client: YeastarClient, pageSize: number) {
    this.#client = client;
    this.#pageSize = pageSize;
  }

  async list(): Promise<PbxPhonebook[]> {
    const out: PbxPhonebook[] = [];
    for await (const row of this.#client.pages(M.paths.phonebookList, {}, apiPhonebookRowSchema, this.#pageSize)) {
      out.push(summary(row.id, row.name, row.total ?? 0));
    }
    return out;
  }

  async #get(phonebookId: string) {
    try {
      return (await this.#client.get(M.paths.phonebookGet, { id: numericId(phonebookId, 'phonebookId') }, apiPhonebookSchema)).data;
    } catch (err) {
      if (errcodeOf(err) === M.errcodes.phonebookNotExisted) throw new NotFoundError(`There is no phonebook ${phonebookId} on the PBX.`);
      throw err;
    }
  }

  async create(name: string): Promise<PbxPhonebook> {
    const base = name.trim();
    if (!base) throw new ValidationError('A phonebook needs a name.', [{ field: 'name', message: 'required' }]);
    const fullName = base.endsWith(SUFFIX) ? base : `${base}${SUFFIX}`;
    try {
      const { id } = await this.#client.post(M.paths.phonebookCreate, { name: fullName, member_select: 'sel_specific', add_contacts_id_list: [] }, apiIdSchema);
      return summary(id, fullName, 0);
    } catch (err) {
      if (errcodeOf(err) === M.errcodes.duplicateKey) {
        throw new ConflictError(`A phonebook named "${fullName}" already exists on the PBX. Choose it (if it is empty) or pick another name.`);
      }
      throw err;
    }
  }

  async setCrmOwned(phonebookId: string, owned: boolean): Promise<PbxPhonebook> {
    const book = await this.#get(phonebookId);
    const plain = book.name.endsWith(SUFFIX) ? book.name.slice(0, -SUFFIX.length) : book.name;
    const name = owned ? `${plain}${SUFFIX}` : plain;
    if (name !== book.name) await this.#client.post(M.paths.phonebookUpdate, { id: book.id, name }, apiEmptySchema);
    return summary(book.id, name, book.total ?? book.contacts_list.length);
  }

  async isEmpty(phonebookId: string): Promise<boolean> {
    const book = await this.#get(phonebookId);
    return book.contacts_list.length === 0 && (book.total ?? 0) === 0;
  }

  /** The flattened contact rows of one phonebook. */
  async contactRows(phonebookId: string) {
    return (await this.#get(phonebookId)).contacts_list;
  }
}
