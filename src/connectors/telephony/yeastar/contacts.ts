/**
 * Company contacts ("Add a Company Contact", "Search Specific Company
 * Contacts"…): `first_name` and `number_list` are required, numbers are typed
 * (`num_type`), list rows come back flattened (one field per type, one
 * `contact_name`). A contact that a phonebook still selects cannot be deleted
 * (70091 CONNECTION_RELATION_EXISTED), so deletion leaves every phonebook first.
 */
import { z } from 'zod';
import { ConflictError, NotFoundError, ValidationError } from '../../../errors.ts';
import type { PbxContact, PbxContactInput, PbxContactNumber, PbxContactSummary, PbxNumberType } from '../pbx.ts';
import { errcodeOf } from './api-errors.ts';
import type { YeastarClient } from './client.ts';
import { yeastarManifest as M } from './manifest.ts';
import { numericId, type YeastarPhonebooks } from './phonebooks.ts';
import {
  FLAT_NUMBER_FIELDS,
  apiContactRowSchema,
  apiContactSchema,
  apiEmptySchema,
  apiIdSchema,
  type ApiContact,
  type ApiContactRow,
  type ApiNumType,
} from './wire.ts';

const TO_API: Record<PbxNumberType, ApiNumType> = {
  work: 'business_number',
  work2: 'business_number2',
  work_fax: 'business_fax',
  mobile: 'mobile_number',
  mobile2: 'mobile_number2',
  home: 'home_number',
  home2: 'home_number2',
  home_fax: 'home_fax',
  other: 'other_number',
};
const FROM_API = Object.fromEntries(Object.entries(TO_API).map(([k, v]) => [v, k])) as Record<ApiNumType, PbxNumberType>;

const numbersSchema = z
  .array(
    z.object({
      type: z.enum(Object.keys(TO_API) as [PbxNumberType, ...PbxNumberType[]]),
      number: z.string().trim().min(1, 'a phone number cannot be empty').max(64),
    }),
  )
  .min(1, 'a PBX contact needs at least one phone number')
  .refine((list) => new Set(list.map((n) => n.type)).size === list.length, 'each number type can appear once (the PBX has one field per type)');

const inputSchema = z.object({
  firstName: z.string().trim().min(1, 'a PBX contact needs a first name'),
  lastName: z.string().trim().optional(),
  company: z.string().trim().optional(),
  email: z.string().trim().optional(),
  numbers: numbersSchema,
  remark: z.string().trim().optional(),
});

function validate<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const details = parsed.error.issues.map((i) => ({ field: i.path.join('.') || 'contact', message: i.message }));
  throw new ValidationError(`The contact cannot be written to the PBX: ${details.map((d) => d.message).join('; ')}.`, details);
}

function toApiFields(input: Partial<z.output<typeof inputSchema>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (input.firstName !== undefined) out.first_name = input.firstName;
  if (input.lastName !== undefined) out.last_name = input.lastName;
  if (input.company !== undefined) out.company = input.company;
  if (input.email !== undefined) out.email = input.email;
  if (input.remark !== undefined) out.remark = input.remark;
  if (input.numbers !== undefined) out.number_list = input.numbers.map((n) => ({ num_type: TO_API[n.type], number: n.number }));
  return out;
}

export function summaryFromRow(row: ApiContactRow): PbxContactSummary {
  const numbers: PbxContactNumber[] = [];
  for (const [apiType, field] of Object.entries(FLAT_NUMBER_FIELDS) as [ApiNumType, keyof ApiContactRow][]) {
    const value = String(row[field] ?? '').trim();
    if (value) numbers.push({ type: FROM_API[apiType], number: value });
  }
  return {
    id: String(row.id),
    displayName: row.contact_name.trim(),
    company: row.company,
    email: row.email,
    numbers,
    remark: row.remark,
    phonebookIds: row.phonebook_list?.map((p) => String(p.id)),
  };
}

function fromApi(c: ApiContact): PbxContact {
  return {
    id: String(c.id),
    firstName: c.first_name,
    lastName: c.last_name,
    displayName: `${c.first_name} ${c.last_name}`.trim(),
    company: c.company,
    email: c.email,
    remark: c.remark,
    numbers: c.number_list.map((n) => ({ type: FROM_API[n.num_type], number: n.number })),
    phonebookIds: c.phonebook_list.map((p) => String(p.id)),
  };
}

export class YeastarContacts {
  readonly #client: YeastarClient;
  readonly #phonebooks: YeastarPhonebooks;
  readonly #pageSize: number;

  constructor(client: YeastarClient, phonebooks: YeastarPhonebooks, pageSize: number) {
    this.#client = client;
    this.#phonebooks = phonebooks;
    this.#pageSize = pageSize;
  }

  async list(phonebookId: string): Promise<PbxContactSummary[]> {
    return (await this.#phonebooks.contactRows(phonebookId)).map(summaryFromRow);
  }

  async get(contactId: string): Promise<PbxContact> {
    try {
      return fromApi((await this.#client.get(M.paths.contactGet, { id: numericId(contactId, 'contactId') }, apiContactSchema)).data);
    } catch (err) {
      if (errcodeOf(err) === M.errcodes.contactsNotExisted) throw new NotFoundError(`There is no contact ${contactId} on the PBX.`);
      throw err;
    }
  }

  async create(phonebookId: string, input: PbxContactInput): Promise<PbxContact> {
    const data = validate(inputSchema, input);
    const book = numericId(phonebookId, 'phonebookId');
    try {
      const { id } = await this.#client.post(M.paths.contactCreate, { ...toApiFields(data), phonebook_id_list: [book] }, apiIdSchema);
      return await this.get(String(id));
    } catch (err) {
      if (errcodeOf(err) === M.errcodes.phonebookNotExisted) throw new NotFoundError(`There is no phonebook ${phonebookId} on the PBX.`);
      throw err;
    }
  }

  async update(contactId: string, patch: Partial<PbxContactInput>): Promise<PbxContact> {
    const data = validate(inputSchema.partial(), patch);
    const id = numericId(contactId, 'contactId');
    try {
      await this.#client.post(M.paths.contactUpdate, { id, ...toApiFields(data) }, apiEmptySchema);
    } catch (err) {
      if (errcodeOf(err) === M.errcodes.contactsNotExisted) throw new NotFoundError(`There is no contact ${contactId} on the PBX.`);
      throw err;
    }
    return this.get(contactId);
  }

  /** Deletes the contact, leaving its phonebooks first; deleting a contact that is already gone succeeds. */
  async delete(contactId: string): Promise<void> {
    const id = numericId(contactId, 'contactId');
    let contact: PbxContact;
    try {
      contact = await this.get(contactId);
    } catch (err) {
      if (err instanceof NotFoundError) return;
      throw err;
    }
    if (contact.phonebookIds.length > 0) {
      await this.#client.post(M.paths.contactUpdate, { id, phonebook_id_list: [] }, apiEmptySchema);
    }
    try {
      await this.#client.get(M.paths.contactDelete, { id }, apiEmptySchema);
    } catch (err) {
      const code = errcodeOf(err);
      if (code === M.errcodes.contactsNotExisted) return;
      if (code === M.errcodes.connectionRelationExisted) {
        throw new ConflictError(`The PBX still links contact ${contactId} to a phonebook, so it cannot be deleted yet.`);
      }
      throw err;
    }
  }

  async findByTag(tag: string): Promise<PbxContactSummary[]> {
    const wanted = tag.trim();
    if (!wanted) throw new ValidationError('A tag is needed.', [{ field: 'tag', message: 'required' }]);
    // company_contact/search does not promise to search remarks, so the list is filtered here.
    const out: PbxContactSummary[] = [];
    for await (const row of this.#client.pages(M.paths.contactList, {}, apiContactRowSchema, this.#pageSize)) {
      if (row.remark.trim() === wanted) out.push(summaryFromRow(row));
    }
    return out;
  }
}
