/**
 * Material for deterministic seeds: international names, company words and phone
 * number shapes per country (national, international, punctuated, with extensions).
 * Phone ranges are fictional/drama ranges where a country has them (US 555-01xx, UK 7946 0xxx).
 */

export interface Locale {
  country: string;
  region: string;
  tld: string;
  firstNames: string[];
  lastNames: string[];
  companyWords: string[];
  companySuffixes: string[];
  cities: string[];
  /** `#` is a random digit. */
  phoneShapes: string[];
  mobileShapes: string[];
}

export const LOCALES: Locale[] = [
  {
    country: 'United States',
    region: 'US',
    tld: 'com',
    firstNames: ['Emily', 'James', 'Olivia', 'Michael', 'Sophia', 'Daniel', 'Ava', 'Ethan', 'Madison', 'Noah'],
    lastNames: ['Johnson', 'Williams', 'Brown', 'Garcia', 'Miller', 'Davis', 'Martinez', 'Anderson', 'Taylor', 'Thompson'],
    companyWords: ['Summit', 'Redwood', 'Bluebird', 'Ironclad', 'Lakeside', 'Pioneer'],
    companySuffixes: ['Inc.', 'LLC', 'Corp.'],
    cities: ['San Francisco', 'Chicago', 'Boston', 'Austin', 'Seattle'],
    phoneShapes: ['(415) 555-01##', '212-555-01##', '+1 312 555 01##', '+1 (617) 555-01## ext. ##', '206555 01##'],
    mobileShapes: ['+1 415-555-01##', '(646) 555-01##'],
  },
  {
    country: 'Germany',
    region: 'DE',
    tld: 'de',
    firstNames: ['Lukas', 'Anna', 'Jonas', 'Lea', 'Felix', 'Marie', 'Jürgen', 'Sophie', 'Maximilian', 'Hannah'],
    lastNames: ['Müller', 'Schmidt', 'Schneider', 'Fischer', 'Weber', 'Meyer', 'Wagner', 'Becker', 'Schäfer', 'Koch'],
    companyWords: ['Nordwind', 'Bergmann', 'Rheintal', 'Sonnen', 'Falken', 'Eichen'],
    companySuffixes: ['GmbH', 'AG', 'KG'],
    cities: ['Berlin', 'München', 'Hamburg', 'Köln', 'Frankfurt am Main'],
    phoneShapes: ['030 ########', '+49 30 ########', '(089) ####-####', '+49 (0)40 ####### Durchwahl ##', '0221 #######'],
    mobileShapes: ['+49 151 ########', '0170 #######'],
  },
  {
    country: 'France',
    region: 'FR',
    tld: 'fr',
    firstNames: ['Camille', 'Louis', 'Chloé', 'Hugo', 'Léa', 'Gabriel', 'Manon', 'Théo', 'Inès', 'Jules'],
    lastNames: ['Martin', 'Bernard', 'Dubois', 'Thomas', 'Robert', 'Petit', 'Durand', 'Leroy', 'Moreau', 'Lefèvre'],
    companyWords: ['Lumière', 'Azur', 'Vallée', 'Étoile', 'Horizon', 'Atelier'],
    companySuffixes: ['SA', 'SARL', 'SAS'],
    cities: ['Paris', 'Lyon', 'Marseille', 'Toulouse', 'Nantes'],
    phoneShapes: ['01 ## ## ## ##', '+33 1 ## ## ## ##', '04.##.##.##.##', '0033 5 ## ## ## ##'],
    mobileShapes: ['06 ## ## ## ##', '+33 7 ## ## ## ##'],
  },
  {
    country: 'Japan',
    region: 'JP',
    tld: 'jp',
    firstNames: ['Haruto', 'Yui', 'Sota', 'Hina', 'Ren', 'Aoi', 'Yuto', 'Sakura', 'Kaito', 'Mio'],
    lastNames: ['Sato', 'Suzuki', 'Takahashi', 'Tanaka', 'Watanabe', 'Ito', 'Yamamoto', 'Nakamura', 'Kobayashi', 'Kato'],
    companyWords: ['Sakura', 'Fuji', 'Hikari', 'Midori', 'Kawa', 'Tsubasa'],
    companySuffixes: ['K.K.', 'Co., Ltd.'],
    cities: ['Tokyo', 'Osaka', 'Yokohama', 'Nagoya', 'Fukuoka'],
    phoneShapes: ['03-####-####', '+81 3-####-####', '06 (####) ####', '+81-52-###-####'],
    mobileShapes: ['090-####-####', '+81 80 #### ####'],
  },
  {
    country: 'Brazil',
    region: 'BR',
    tld: 'com.br',
    firstNames: ['João', 'Maria', 'Pedro', 'Ana', 'Lucas', 'Beatriz', 'Gabriel', 'Larissa', 'Rafael', 'Juliana'],
    lastNames: ['Silva', 'Santos', 'Oliveira', 'Souza', 'Rodrigues', 'Ferreira', 'Alves', 'Pereira', 'Lima', 'Gomes'],
    companyWords: ['Horizonte', 'Aurora', 'Cerrado', 'Litoral', 'Estrela', 'Vitória'],
    companySuffixes: ['Ltda.', 'S.A.'],
    cities: ['São Paulo', 'Rio de Janeiro', 'Belo Horizonte', 'Curitiba', 'Recife'],
    phoneShapes: ['(11) 3###-####', '+55 21 3###-####', '+55 (31) 3### ####'],
    mobileShapes: ['(11) 9####-####', '+55 21 9#### ####'],
  },
  {
    country: 'Poland',
    region: 'PL',
    tld: 'pl',
    firstNames: ['Jakub', 'Zofia', 'Antoni', 'Julia', 'Szymon', 'Maja', 'Jan', 'Zuzanna', 'Filip', 'Hanna'],
    lastNames: ['Nowak', 'Kowalski', 'Wiśniewski', 'Wójcik', 'Kowalczyk', 'Kamiński', 'Lewandowski', 'Zieliński', 'Szymański', 'Woźniak'],
    companyWords: ['Wisła', 'Bursztyn', 'Tatry', 'Orzeł', 'Polana', 'Mazowsze'],
    companySuffixes: ['sp. z o.o.', 'S.A.'],
    cities: ['Warszawa', 'Kraków', 'Wrocław', 'Gdańsk', 'Poznań'],
    phoneShapes: ['22 ### ## ##', '+48 12 ### ## ##', '(58) ### ## ##'],
    mobileShapes: ['+48 501 ### ###', '601-###-###'],
  },
  {
    country: 'Thailand',
    region: 'TH',
    tld: 'co.th',
    firstNames: ['Somchai', 'Malee', 'Anan', 'Siriporn', 'Kittisak', 'Pim', 'Niran', 'Ploy', 'Chaiya', 'Ratana'],
    lastNames: ['Srisuk', 'Wongsa', 'Chaiyaporn', 'Rattanakul', 'Boonmee', 'Saetang', 'Kongthong', 'Phromma', 'Suwannarat', 'Thongdee'],
    companyWords: ['Siam', 'Chao Phraya', 'Lanna', 'Andaman', 'Mekong', 'Krung'],
    companySuffixes: ['Co., Ltd.', 'Public Co., Ltd.'],
    cities: ['Bangkok', 'Chiang Mai', 'Phuket', 'Khon Kaen', 'Pattaya'],
    phoneShapes: ['02 ### ####', '+66 2 ### ####', '+66 (0)53 ### ###'],
    mobileShapes: ['081 ### ####', '+66 89 ### ####'],
  },
  {
    country: 'United Kingdom',
    region: 'GB',
    tld: 'co.uk',
    firstNames: ['Oliver', 'Amelia', 'George', 'Isla', 'Harry', 'Poppy', 'Jack', 'Freya', 'Charlie', 'Grace'],
    lastNames: ['Smith', 'Jones', 'Evans', 'Wilson', 'Roberts', 'Walker', 'Wright', 'Hughes', 'Edwards', 'Clarke'],
    companyWords: ['Thames', 'Highland', 'Harbour', 'Kingsway', 'Oakridge', 'Fenwick'],
    companySuffixes: ['Ltd', 'PLC'],
    cities: ['London', 'Manchester', 'Edinburgh', 'Bristol', 'Leeds'],
    phoneShapes: ['020 7946 0###', '+44 20 7946 0###', '+44 (0)20 7946 0### x##'],
    mobileShapes: ['07700 900###', '+44 7700 900###'],
  },
];

export const JOB_TITLES = [
  'Sales Manager',
  'CEO',
  'Head of Operations',
  'Procurement Lead',
  'CTO',
  'Account Executive',
  'Marketing Director',
  'Office Manager',
  'Buyer',
  'Founder',
];
export const LIFECYCLE_STAGES = ['subscriber', 'lead', 'marketingqualifiedlead', 'salesqualifiedlead', 'opportunity', 'customer'];
export const INDUSTRIES = ['Computer Software', 'Logistics and Supply Chain', 'Retail', 'Manufacturing', 'Financial Services', 'Hospitality', 'Construction'];
export const DEAL_STAGES = [
  'appointmentscheduled',
  'qualifiedtobuy',
  'presentationscheduled',
  'decisionmakerboughtin',
  'contractsent',
  'closedwon',
  'closedlost',
];
