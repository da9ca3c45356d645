import { hexId, pick } from '../random.ts';
import {
  EN_ADDRESSES,
  EN_COMPANY_KINDS,
  EN_COMPANY_STEMS,
  EN_DEPARTMENTS,
  EN_TITLES,
  JP_ADDRESSES,
  JP_COMPANY_KINDS,
  JP_COMPANY_STEMS,
  JP_DEPARTMENTS,
  JP_TITLES,
  PHONE_PREFIX,
} from './seed-data.ts';

/** A company several cards share: its strings are shared by reference, not copied per card. */
export interface SeedCompany {
  id: string;
  japanese: boolean;
  name: string;
  domain: string;
  url: string;
  country: string;
  postalCode: string;
  prefecture: string | null;
  city: string;
  street: string;
  building: string | null;
  tel: string;
  tel2: string;
  fax: string;
  mobilePrefix: string;
  departments: readonly string[];
  titles: readonly string[];
}

const JP_PREFIXES = ['', '新', '日本', '東京', '大阪', '第一', 'ネオ', 'グローバル'];
const EN_MIDDLES = ['', 'Systems', 'Trading', 'Labs', 'Partners', 'Holdings'];

/** Seven in ten companies Japanese (株式会社 before or after the name), the rest in the US, UK, Singapore or Australia. */
export function buildCompanies(rnd: () => number, count: number): SeedCompany[] {
  const r = (n: number) => Math.floor(rnd() * n);
  const digits = (n: number) => String(r(10 ** n)).padStart(n, '0');
  const domains = new Map<string, number>();
  const uniqueDomain = (stem: string) => {
    const n = domains.get(stem) ?? 0;
    domains.set(stem, n + 1);
    return `${stem}${n ? n + 1 : ''}.example`;
  };
  const out: SeedCompany[] = [];
  for (let i = 0; i < count; i++) {
    if (rnd() < 0.7) {
      const [stem, stemRomaji] = pick(rnd, JP_COMPANY_STEMS);
      const [kind, kindRomaji] = pick(rnd, JP_COMPANY_KINDS);
      const prefix = pick(rnd, JP_PREFIXES);
      const core = `${prefix}${stem}${kind}`;
      const [prefecture, city, street, postal, area] = pick(rnd, JP_ADDRESSES);
      const domain = uniqueDomain(`${stemRomaji}-${kindRomaji}`);
      const local = area.length === 2 ? `${area}-${digits(4)}-` : `${area}-${digits(3)}-`;
      const tel = `${local}${digits(4)}`;
      out.push({
        id: hexId(rnd),
        japanese: true,
        name: rnd() < 0.5 ? `株式会社${core}` : `${core}株式会社`,
        domain,
        url: `https://www.${domain}/`,
        country: 'JP',
        postalCode: `${postal}-${digits(4)}`,
        prefecture,
        city,
        street: `${street}${1 + r(5)}-${1 + r(20)}-${1 + r(30)}`,
        building: rnd() < 0.6 ? `${stem}ビル ${1 + r(30)}F` : null,
        tel,
        tel2: `${local}${digits(4)}`,
        fax: `${local}${digits(4)}`,
        mobilePrefix: '',
        departments: JP_DEPARTMENTS,
        titles: JP_TITLES,
      });
    } else {
      const stem = pick(rnd, EN_COMPANY_STEMS);
      const middle = pick(rnd, EN_MIDDLES);
      const [kind, country] = pick(rnd, EN_COMPANY_KINDS);
      const [region, city, street, postal] = pick(rnd, EN_ADDRESSES[country]);
      const domain = uniqueDomain(`${stem}${middle ? `-${middle}` : ''}`.toLowerCase().replace(/\s+/g, '-'));
      const prefix = PHONE_PREFIX[country];
      out.push({
        id: hexId(rnd),
        japanese: false,
        name: `${stem}${middle ? ` ${middle}` : ''} ${kind}`,
        domain,
        url: `https://${domain}/`,
        country,
        postalCode: postal,
        prefecture: region || null,
        city,
        street: `${1 + r(900)} ${street}`,
        building: rnd() < 0.4 ? `Suite ${100 + r(900)}` : null,
        tel: `${prefix}${digits(4)}`,
        tel2: `${prefix}${digits(4)}`,
        fax: `${prefix}${digits(4)}`,
        mobilePrefix: prefix,
        departments: EN_DEPARTMENTS,
        titles: EN_TITLES,
      });
    }
  }
  return out;
}
