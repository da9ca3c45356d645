/**
 * Word pools for the seed generator: Japanese names with katakana readings (フリガナ)
 * and romaji for e-mail addresses, English names (half with katakana readings, as
 * Sansan's data entry often adds them), companies, departments, titles, addresses and
 * tag names. Domains end in `.example` so no seeded address can reach a real mailbox.
 */
export type Name = readonly [text: string, reading: string, romaji: string];

export const JP_LAST: readonly Name[] = [
  ['佐藤', 'サトウ', 'sato'],
  ['鈴木', 'スズキ', 'suzuki'],
  ['高橋', 'タカハシ', 'takahashi'],
  ['田中', 'タナカ', 'tanaka'],
  ['伊藤', 'イトウ', 'ito'],
  ['渡辺', 'ワタナベ', 'watanabe'],
  ['山本', 'ヤマモト', 'yamamoto'],
  ['中村', 'ナカムラ', 'nakamura'],
  ['小林', 'コバヤシ', 'kobayashi'],
  ['加藤', 'カトウ', 'kato'],
  ['吉田', 'ヨシダ', 'yoshida'],
  ['山田', 'ヤマダ', 'yamada'],
  ['佐々木', 'ササキ', 'sasaki'],
  ['山口', 'ヤマグチ', 'yamaguchi'],
  ['松本', 'マツモト', 'matsumoto'],
  ['井上', 'イノウエ', 'inoue'],
  ['木村', 'キムラ', 'kimura'],
  ['林', 'ハヤシ', 'hayashi'],
  ['斎藤', 'サイトウ', 'saito'],
  ['清水', 'シミズ', 'shimizu'],
  ['山崎', 'ヤマザキ', 'yamazaki'],
  ['森', 'モリ', 'mori'],
  ['池田', 'イケダ', 'ikeda'],
  ['橋本', 'ハシモト', 'hashimoto'],
  ['阿部', 'アベ', 'abe'],
  ['石川', 'イシカワ', 'ishikawa'],
  ['前田', 'マエダ', 'maeda'],
  ['藤田', 'フジタ', 'fujita'],
  ['小川', 'オガワ', 'ogawa'],
  ['岡田', 'オカダ', 'okada'],
  ['長谷川', 'ハセガワ', 'hasegawa'],
  ['村上', 'ムラカミ', 'murakami'],
];

export const JP_FIRST: readonly Name[] = [
  ['太郎', 'タロウ', 'taro'],
  ['花子', 'ハナコ', 'hanako'],
  ['健一', 'ケンイチ', 'kenichi'],
  ['翔太', 'ショウタ', 'shota'],
  ['美咲', 'ミサキ', 'misaki'],
  ['大輔', 'ダイスケ', 'daisuke'],
  ['陽子', 'ヨウコ', 'yoko'],
  ['直樹', 'ナオキ', 'naoki'],
  ['由美', 'ユミ', 'yumi'],
  ['誠', 'マコト', 'makoto'],
  ['恵', 'メグミ', 'megumi'],
  ['拓也', 'タクヤ', 'takuya'],
  ['さくら', 'サクラ', 'sakura'],
  ['裕子', 'ユウコ', 'yuko'],
  ['隆', 'タカシ', 'takashi'],
  ['彩', 'アヤ', 'aya'],
  ['浩二', 'コウジ', 'koji'],
  ['真由美', 'マユミ', 'mayumi'],
  ['亮', 'リョウ', 'ryo'],
  ['愛', 'アイ', 'ai'],
  ['修', 'オサム', 'osamu'],
  ['千尋', 'チヒロ', 'chihiro'],
  ['和也', 'カズヤ', 'kazuya'],
  ['智子', 'トモコ', 'tomoko'],
];

export const EN_LAST: readonly Name[] = [
  ['Smith', 'スミス', 'smith'],
  ['Johnson', 'ジョンソン', 'johnson'],
  ['Williams', 'ウィリアムズ', 'williams'],
  ['Brown', 'ブラウン', 'brown'],
  ['Miller', 'ミラー', 'miller'],
  ['Davis', 'デイビス', 'davis'],
  ['Wilson', 'ウィルソン', 'wilson'],
  ['Taylor', 'テイラー', 'taylor'],
  ['Clark', 'クラーク', 'clark'],
  ['Walker', 'ウォーカー', 'walker'],
  ['Young', 'ヤング', 'young'],
  ['King', 'キング', 'king'],
  ['Wright', 'ライト', 'wright'],
  ['Scott', 'スコット', 'scott'],
  ['Green', 'グリーン', 'green'],
  ['Nguyen', 'グエン', 'nguyen'],
  ['Tan', 'タン', 'tan'],
  ['Lee', 'リー', 'lee'],
];

export const EN_FIRST: readonly Name[] = [
  ['James', 'ジェームズ', 'james'],
  ['Mary', 'メアリー', 'mary'],
  ['John', 'ジョン', 'john'],
  ['Emma', 'エマ', 'emma'],
  ['Robert', 'ロバート', 'robert'],
  ['Olivia', 'オリビア', 'olivia'],
  ['Michael', 'マイケル', 'michael'],
  ['Sophia', 'ソフィア', 'sophia'],
  ['David', 'デビッド', 'david'],
  ['Emily', 'エミリー', 'emily'],
  ['Daniel', 'ダニエル', 'daniel'],
  ['Grace', 'グレース', 'grace'],
  ['Wei', 'ウェイ', 'wei'],
  ['Priya', 'プリヤ', 'priya'],
];

export const JP_COMPANY_STEMS: readonly (readonly [string, string])[] = [
  ['東都', 'toto'],
  ['大和', 'yamato'],
  ['富士', 'fuji'],
  ['桜', 'sakura'],
  ['北斗', 'hokuto'],
  ['青葉', 'aoba'],
  ['光', 'hikari'],
  ['朝日', 'asahi'],
  ['平和', 'heiwa'],
  ['三和', 'sanwa'],
  ['中央', 'chuo'],
  ['新星', 'shinsei'],
  ['明和', 'meiwa'],
  ['高砂', 'takasago'],
  ['瑞穂', 'mizuho-kk'],
  ['白鷺', 'shirasagi'],
  ['日進', 'nisshin'],
  ['双葉', 'futaba'],
];

export const JP_COMPANY_KINDS: readonly (readonly [string, string])[] = [
  ['商事', 'shoji'],
  ['電機', 'denki'],
  ['製作所', 'ss'],
  ['物産', 'bussan'],
  ['建設', 'kensetsu'],
  ['システムズ', 'systems'],
  ['ソリューションズ', 'solutions'],
  ['工業', 'kogyo'],
  ['化学', 'kagaku'],
  ['不動産', 'estate'],
  ['運輸', 'unyu'],
  ['食品', 'foods'],
];

export const EN_COMPANY_STEMS: readonly string[] = [
  'Northwind',
  'Contoso',
  'Fabrikam',
  'Tailspin',
  'Wingtip',
  'Litware',
  'Adatum',
  'Proseware',
  'Woodgrove',
  'Lucerne',
  'Blue Harbor',
  'Silver Peak',
  'Redwood',
  'Brightline',
];

export const EN_COMPANY_KINDS: readonly (readonly [string, string])[] = [
  ['Inc.', 'US'],
  ['Ltd.', 'GB'],
  ['Pte. Ltd.', 'SG'],
  ['Pty Ltd', 'AU'],
  ['Corporation', 'US'],
  ['LLC', 'US'],
];

/** [prefecture, city, street stem, postal prefix, area code] */
export const JP_ADDRESSES: readonly (readonly [string, string, string, string, string])[] = [
  ['東京都', '千代田区', '丸の内', '100', '03'],
  ['東京都', '港区', '芝浦', '108', '03'],
  ['東京都', '渋谷区', '神宮前', '150', '03'],
  ['東京都', '新宿区', '西新宿', '160', '03'],
  ['大阪府', '大阪市北区', '梅田', '530', '06'],
  ['大阪府', '大阪市中央区', '本町', '541', '06'],
  ['愛知県', '名古屋市中村区', '名駅', '450', '052'],
  ['福岡県', '福岡市博多区', '博多駅前', '812', '092'],
  ['神奈川県', '横浜市西区', 'みなとみらい', '220', '045'],
  ['北海道', '札幌市中央区', '北一条西', '060', '011'],
];

/** [country, state or region, city, street, postal, phone prefix] */
export const EN_ADDRESSES: Record<string, readonly (readonly [string, string, string, string])[]> = {
  US: [
    ['CA', 'San Francisco', 'Market Street', '94105'],
    ['NY', 'New York', 'Madison Avenue', '10016'],
    ['WA', 'Seattle', 'Pine Street', '98101'],
  ],
  GB: [
    ['England', 'London', 'King William Street', 'EC4N 7BJ'],
    ['Scotland', 'Edinburgh', 'George Street', 'EH2 2LR'],
  ],
  SG: [['', 'Singapore', 'Raffles Place', '048616']],
  AU: [
    ['NSW', 'Sydney', 'George Street', '2000'],
    ['VIC', 'Melbourne', 'Collins Street', '3000'],
  ],
};

export const PHONE_PREFIX: Record<string, string> = { US: '+1 415-555-', GB: '+44 20 7946 ', SG: '+65 6555 ', AU: '+61 2 5550 ' };

export const JP_DEPARTMENTS: readonly string[] = [
  '営業部',
  '第一営業部',
  '第二営業部',
  '営業本部',
  'マーケティング部',
  '経営企画部',
  '情報システム部',
  '人事部',
  '総務部',
  '開発部',
  '購買部',
  '海外事業部',
  'カスタマーサクセス部',
  '法人営業部',
];
export const JP_TITLES: readonly string[] = [
  '部長',
  '課長',
  '係長',
  '主任',
  '代表取締役社長',
  '取締役',
  'マネージャー',
  '担当',
  'シニアマネージャー',
  '執行役員',
  'リーダー',
];
export const EN_DEPARTMENTS: readonly string[] = ['Sales', 'Marketing', 'Engineering', 'Procurement', 'Finance', 'Business Development', 'IT', 'Operations'];
export const EN_TITLES: readonly string[] = [
  'Sales Manager',
  'Director',
  'VP of Sales',
  'Account Executive',
  'CEO',
  'Software Engineer',
  'Procurement Lead',
  'Head of Partnerships',
  'CTO',
];

export const EVENT_TAGS: readonly string[] = [
  '展示会',
  'セミナー',
  'Japan IT Week',
  '商談会',
  '交流会',
  'ウェビナー',
  'SaaS EXPO',
  'DX 推進フォーラム',
  'Tech Summit',
  'ユーザー会',
  '製造業 DX 展',
  'CEATEC',
  'AI EXPO',
  'Interop',
  '採用イベント',
];
export const STATUS_TAGS: readonly string[] = [
  '重要顧客',
  '見込み客 A',
  '見込み客 B',
  '見込み客 C',
  '既存顧客',
  'パートナー',
  '代理店',
  '競合',
  '要フォロー',
  '失注',
  '休眠',
  'VIP',
  'Key account',
  'Follow up',
  'Newsletter',
];
export const TEAM_NAMES: readonly string[] = ['東日本営業', '西日本営業', 'インサイドセールス', 'マーケティング', 'アライアンス', 'Global Sales', 'CS チーム'];
