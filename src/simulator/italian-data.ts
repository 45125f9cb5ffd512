/**
 * Word lists for realistic Italian dental-trade data: people, places, streets, studio names and bur
 * families. Kept apart from the generator so that the generator reads as rules, not as lists.
 * Every entry is single-spaced, without leading or trailing blanks, and without a token longer than
 * the narrowest column that prints it (the renderer refuses tokens that would wrap mid-word).
 */

/** A municipality with what an address and a fiscal code need. */
export interface City {
  name: string;
  postalCode: string;
  province: string;
  /** Cadastral (Belfiore) code, used in fiscal codes. */
  cadastral: string;
  /** Telephone area code. */
  area: string;
}

/** Cities where the agent's customers sit. */
export const CITIES: readonly City[] = [
  { name: 'Milano', postalCode: '20121', province: 'MI', cadastral: 'F205', area: '02' },
  { name: 'Milano', postalCode: '20145', province: 'MI', cadastral: 'F205', area: '02' },
  { name: 'Roma', postalCode: '00185', province: 'RM', cadastral: 'H501', area: '06' },
  { name: 'Roma', postalCode: '00197', province: 'RM', cadastral: 'H501', area: '06' },
  { name: 'Torino', postalCode: '10121', province: 'TO', cadastral: 'L219', area: '011' },
  { name: 'Napoli', postalCode: '80133', province: 'NA', cadastral: 'F839', area: '081' },
  { name: 'Bologna', postalCode: '40121', province: 'BO', cadastral: 'A944', area: '051' },
  { name: 'Firenze', postalCode: '50123', province: 'FI', cadastral: 'D612', area: '055' },
  { name: 'Venezia', postalCode: '30121', province: 'VE', cadastral: 'L736', area: '041' },
  { name: 'Genova', postalCode: '16121', province: 'GE', cadastral: 'D969', area: '010' },
  { name: 'Verona', postalCode: '37121', province: 'VR', cadastral: 'L781', area: '045' },
  { name: 'Padova', postalCode: '35122', province: 'PD', cadastral: 'G224', area: '049' },
  { name: 'Brescia', postalCode: '25121', province: 'BS', cadastral: 'B157', area: '030' },
  { name: 'Bergamo', postalCode: '24121', province: 'BG', cadastral: 'A794', area: '035' },
  { name: 'Bari', postalCode: '70121', province: 'BA', cadastral: 'A662', area: '080' },
  { name: 'Palermo', postalCode: '90133', province: 'PA', cadastral: 'G273', area: '091' },
  { name: 'Catania', postalCode: '95121', province: 'CT', cadastral: 'C351', area: '095' },
  { name: 'Trieste', postalCode: '34121', province: 'TS', cadastral: 'L424', area: '040' },
  { name: 'Parma', postalCode: '43121', province: 'PR', cadastral: 'G337', area: '0521' },
  { name: 'Modena', postalCode: '41121', province: 'MO', cadastral: 'F257', area: '059' },
  { name: 'Perugia', postalCode: '06121', province: 'PG', cadastral: 'G478', area: '075' },
  { name: 'Cagliari', postalCode: '09124', province: 'CA', cadastral: 'B354', area: '070' },
  { name: 'Pescara', postalCode: '65121', province: 'PE', cadastral: 'G482', area: '085' },
  { name: 'Vicenza', postalCode: '36100', province: 'VI', cadastral: 'L840', area: '0444' },
  { name: 'Treviso', postalCode: '31100', province: 'TV', cadastral: 'L407', area: '0422' },
  { name: 'Monza', postalCode: '20900', province: 'MB', cadastral: 'F704', area: '039' },
  { name: 'Como', postalCode: '22100', province: 'CO', cadastral: 'C933', area: '031' },
  { name: 'Varese', postalCode: '21100', province: 'VA', cadastral: 'L682', area: '0332' },
  { name: 'Lecce', postalCode: '73100', province: 'LE', cadastral: 'E506', area: '0832' },
  { name: 'Ancona', postalCode: '60121', province: 'AN', cadastral: 'A271', area: '071' },
  { name: 'Trento', postalCode: '38122', province: 'TN', cadastral: 'L378', area: '0461' },
  { name: 'Udine', postalCode: '33100', province: 'UD', cadastral: 'L483', area: '0432' },
  { name: 'Salerno', postalCode: '84121', province: 'SA', cadastral: 'H703', area: '089' },
  { name: 'Rimini', postalCode: '47921', province: 'RN', cadastral: 'H294', area: '0541' },
  { name: 'Livorno', postalCode: '57123', province: 'LI', cadastral: 'E625', area: '0586' },
  { name: 'Reggio Emilia', postalCode: '42121', province: 'RE', cadastral: 'H223', area: '0522' },
  { name: 'Piacenza', postalCode: '29121', province: 'PC', cadastral: 'G535', area: '0523' },
  { name: 'Mantova', postalCode: '46100', province: 'MN', cadastral: 'E897', area: '0376' },
  { name: 'Sassari', postalCode: '07100', province: 'SS', cadastral: 'I452', area: '079' },
  { name: 'Arezzo', postalCode: '52100', province: 'AR', cadastral: 'A390', area: '0575' },
];

/** Common Italian surnames. */
export const SURNAMES: readonly string[] = [
  'Rossi', 'Russo', 'Ferrari', 'Esposito', 'Bianchi', 'Romano', 'Colombo', 'Ricci', 'Marino', 'Greco',
  'Bruno', 'Gallo', 'Conti', 'De Luca', 'Mancini', 'Costa', 'Giordano', 'Rizzo', 'Lombardi', 'Moretti',
  'Barbieri', 'Fontana', 'Santoro', 'Mariani', 'Rinaldi', 'Caruso', 'Ferrara', 'Galli', 'Martini', 'Leone',
  'Longo', 'Gentile', 'Martinelli', 'Vitale', 'Serra', 'Coppola', 'De Santis', "D'Angelo", 'Marchetti',
  'Parisi', 'Villa', 'Conte', 'Ferraro', 'Fabbri', 'Marini', 'Grasso', 'Valentini', 'Sala', 'Gatti',
  'Pellegrini', 'Palumbo', 'Sanna', 'Farina', 'Monti', 'Cattaneo', 'Morelli', 'Amato', 'Silvestri',
  'Mazza', 'Testa', 'Carbone', 'Giuliani', 'Benedetti', 'Barone', 'Caputo', 'Montanari', 'Guerra',
  'Palmieri', 'Bernardi', 'Fiore', 'De Rosa', 'Ferretti', 'Bellini', 'Basile', 'Riva', 'Donati', 'Piras',
  'Battaglia', 'Sartori', 'Neri', 'Milani', 'Pagano', 'Ruggiero', 'Sorrentino', "D'Amico", 'Orlando',
];

/** Male first names. */
export const MALE_NAMES: readonly string[] = [
  'Mario', 'Giuseppe', 'Giovanni', 'Luca', 'Marco', 'Andrea', 'Francesco', 'Alessandro', 'Stefano', 'Paolo',
  'Roberto', 'Massimo', 'Antonio', 'Davide', 'Matteo', 'Simone', 'Fabio', 'Claudio', 'Enrico', 'Riccardo',
];

/** Female first names. */
export const FEMALE_NAMES: readonly string[] = [
  'Maria', 'Anna', 'Giulia', 'Laura', 'Francesca', 'Chiara', 'Sara', 'Elena', 'Valentina', 'Silvia',
  'Federica', 'Paola', 'Alessandra', 'Martina', 'Elisa', 'Roberta', 'Cristina', 'Monica', 'Barbara', 'Simona',
];

/** Street names (without house number). */
export const STREETS: readonly string[] = [
  'Via Roma', 'Via Garibaldi', 'Corso Italia', 'Via Mazzini', 'Via Cavour', 'Via Dante Alighieri',
  'Viale dei Mille', 'Piazza della Repubblica', 'Via Giuseppe Verdi', 'Corso Vittorio Emanuele II',
  'Via XX Settembre', 'Via IV Novembre', 'Via Nazionale', 'Via Marconi', 'Via Matteotti', 'Viale Europa',
  'Via della Libertà', 'Via Gramsci', 'Via San Francesco', 'Piazza Duomo', 'Via Manzoni', 'Via Leopardi',
  'Via dei Tigli', 'Corso Buenos Aires', 'Via Toledo', 'Viale Monza', 'Via Emilia Est', 'Via Aurelia',
];

/** Names for clinics and centres that are not named after a person. */
export const CLINIC_NAMES: readonly string[] = [
  'Sorriso', 'Dental Care', 'Salus', 'Nuova Odontoiatria', 'San Marco', 'San Giorgio', 'Santa Chiara',
  'Dentalpiù', 'Bianco Sorriso', 'Smile Center', 'Medica Sud', 'Implant Center',
];

/** Delivery terms. */
export const DELIVERY_TERMS: readonly string[] = ['Porto franco', 'Porto assegnato', 'Franco destino', 'Franco fabbrica'];

/** Free-text customer descriptions. */
export const CUSTOMER_DESCRIPTIONS: readonly string[] = [
  'Cliente storico zona nord', 'Nuovo cliente 2025', 'Acquisti solo frese diamantate', 'Ordina tramite agente',
  'Pagamento puntuale', 'Richiede consegna al mattino', 'Convenzione laboratori',
];

/** What an internal note says (the extra `NOTE INTERNE` column of one layout variant). */
export const INTERNAL_NOTES: readonly string[] = [
  'Richiamare il cliente', 'Verificare disponibilità', 'Consegna urgente', 'Sconto concordato con agente',
  'Cliente in prova', 'Spedire con corriere espresso', 'Allegare scheda tecnica', 'Nessuna nota',
];

/** Payment terms: the ERP id followed by its description; long enough to wrap over two lines. */
export const PAYMENT_TERMS: readonly { days: number; text: string }[] = [
  { days: 30, text: 'BB30 Bonifico bancario 30 gg data fattura' },
  { days: 60, text: 'BB60FM Bonifico bancario 60 gg data fattura fine mese' },
  { days: 90, text: 'RB90FM Ricevuta bancaria 90 gg data fattura fine mese' },
  { days: 30, text: 'RD30 Rimessa diretta 30 gg data fattura' },
  { days: 60, text: 'RB60 Ricevuta bancaria 60 gg data fattura' },
];

/** One family of rotary instruments, shaped like Komet article codes (`H129FSQ.104.023`). */
export interface ProductFamily {
  /** Letter(s) before the figure number (`H` tungsten carbide, `` for diamonds). */
  prefix: string;
  figures: readonly string[];
  /** Cut/grit suffixes after the figure (`FSQ`, `F`, …). */
  suffixes: readonly string[];
  group: string;
  groupId: string;
  groupDescription: string;
  noun: string;
}

/** Product families: carbide burs, diamonds, polishers, surgical and endodontic instruments. */
export const PRODUCT_FAMILIES: readonly ProductFamily[] = [
  {
    prefix: 'H', figures: ['1', '2', '7', '21', '23', '31', '33', '129', '132', '141', '246', '251', '274', '283', '297'],
    suffixes: ['', 'F', 'UF', 'FSQ', 'EF', 'Q'], group: 'Frese CT', groupId: 'CT01',
    groupDescription: 'Frese in carburo di tungsteno', noun: 'Fresa CT',
  },
  {
    prefix: '', figures: ['801', '805', '837', '842', '850', '856', '859', '862', '863', '878', '880', '889'],
    suffixes: ['', 'F', 'EF', 'G'], group: 'Diamantate', groupId: 'DIA02',
    groupDescription: 'Frese diamantate', noun: 'Fresa diamantata',
  },
  {
    prefix: '94', figures: ['00', '01', '04', '05', '06', '21', '23'],
    suffixes: ['', 'M', 'F'], group: 'Gommini', groupId: 'POL03',
    groupDescription: 'Gommini e lucidatori', noun: 'Gommino lucidante',
  },
  {
    prefix: 'H', figures: ['162', '254', '255', '260'], suffixes: ['SL', 'A', 'E'], group: 'Chirurgia',
    groupId: 'CHI04', groupDescription: 'Frese chirurgiche', noun: 'Fresa chirurgica',
  },
];

/** Shank codes of an article code and their names in descriptions. */
export const SHANKS: readonly { code: string; name: string }[] = [
  { code: '314', name: 'FG' },
  { code: '204', name: 'CA' },
  { code: '104', name: 'HP' },
  { code: '313', name: 'FG corto' },
];

/** Packaging variants: product id suffix and pieces per pack. */
export const PACKAGINGS: readonly { suffix: string; pieces: number }[] = [
  { suffix: 'K0', pieces: 1 },
  { suffix: 'K1', pieces: 2 },
  { suffix: 'K2', pieces: 5 },
  { suffix: 'K3', pieces: 10 },
];

/** ERP user names (created by / modified by). */
export const ERP_USERS: readonly string[] = ['admin', 'm.colombo', 'l.ferri', 'sync.batch', 'a.bianchi'];
