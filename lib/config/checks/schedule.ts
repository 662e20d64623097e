import type { ConfigProblem } from '../config-error';
import { closestNames } from '../aws-data';
import { didYouMean, isToken, problem } from './problem';

/**
 * EventBridge Scheduler cron(): six fields, minutes hours day-of-month month day-of-week year (Scheduler API
 * ScheduleExpression; values and wildcards as in "Cron expressions" of the EventBridge user guide).
 */
const CRON_FIELDS = [
  { name: 'minutes', min: 0, max: 59, wildcards: ', - * /' },
  { name: 'hours', min: 0, max: 23, wildcards: ', - * /' },
  { name: 'day-of-month', min: 1, max: 31, wildcards: ', - * ? / L W' },
  { name: 'month', min: 1, max: 12, wildcards: ', - * /', names: ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'] },
  { name: 'day-of-week', min: 1, max: 7, wildcards: ', - * ? L #', names: ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] },
  { name: 'year', min: 1970, max: 2199, wildcards: ', - * /' },
] as const;

type CronField = (typeof CRON_FIELDS)[number];

/** Why one cron field is invalid, or undefined. */
function cronFieldError(value: string, field: CronField): string | undefined {
  const allows = (w: string) => field.wildcards.split(' ').includes(w);
  const names: readonly string[] = 'names' in field ? field.names : [];
  const number = (text: string): number | undefined => {
    if (/^[0-9]+$/.test(text)) return Number(text);
    const index = names.indexOf(text.toUpperCase());
    return index >= 0 ? index + field.min : undefined;
  };
  const inRange = (text: string) => {
    const n = number(text);
    return n !== undefined && n >= field.min && n <= field.max;
  };
  const range = `${field.min}-${field.max}${names.length > 0 ? ` or ${names[0]}-${names[names.length - 1]}` : ''}`;
  for (const item of value.split(',')) {
    if (item === '*' || (item === '?' && allows('?'))) {
      if (value.includes(',')) return `combines ${item} with other values`;
      continue;
    }
    if (item === '?') return `cannot be ? (only day-of-month and day-of-week can)`;
    if (item === 'L' && allows('L')) continue;
    if (field.name === 'day-of-month' && /^([0-9]+|L)W$/.test(item)) {
      if (item !== 'LW' && !inRange(item.slice(0, -1))) return `has ${item}, outside ${range}`;
      continue;
    }
    if (field.name === 'day-of-week' && /^[A-Za-z0-9]+L$/.test(item)) {
      if (!inRange(item.slice(0, -1))) return `has ${item}, outside ${range}`;
      continue;
    }
    if (field.name === 'day-of-week' && item.includes('#')) {
      const [day, nth] = item.split('#');
      if (!inRange(day) || !/^[1-5]$/.test(nth)) return `has ${item}: write <day>#<1-5>, e.g. MON#1 for the first Monday`;
      continue;
    }
    const [base, step] = item.split('/');
    if (step !== undefined) {
      if (!allows('/')) return `cannot use / (increments)`;
      if (!/^[1-9][0-9]*$/.test(step)) return `has increment ${step}, not a whole number ≥ 1`;
    }
    if (base === '*' && step !== undefined) continue;
    const bounds = base.split('-');
    if (bounds.length > 2 || bounds.some((b) => b === '')) return `has ${item}, which is not a value, range or increment`;
    for (const bound of bounds) if (!inRange(bound)) return `has ${bound}, outside ${range}`;
  }
  return undefined;
}

/** Problems of an EventBridge Scheduler expression (cron or rate; "none" switches the schedule off). */
export function checkScheduleExpression(file: string, field: string, expression: string): ConfigProblem[] {
  if (isToken(expression)) return [];
  const cron = /^cron\((.*)\)$/.exec(expression);
  if (!cron) return []; // rate(…) and none are fully described by the schema's pattern
  const fields = cron[1].trim().split(/\s+/);
  if (fields.length !== 6) {
    const fix = fields.length === 5 ? `EventBridge Scheduler's cron has a year field too: e.g. cron(${fields.join(' ')} *)${fields[2] !== '?' && fields[4] !== '?' ? ', with ? in day-of-month or day-of-week' : ''}` : 'write six fields: minutes hours day-of-month month day-of-week year, e.g. cron(0 3 ? * SUN *)';
    return [problem(file, field, `has ${fields.length} fields; EventBridge Scheduler's cron() has 6 (minutes hours day-of-month month day-of-week year)`, expression, fix)];
  }
  const problems: ConfigProblem[] = [];
  fields.forEach((value, i) => {
    const error = cronFieldError(value, CRON_FIELDS[i]);
    if (error) problems.push(problem(file, field, `${CRON_FIELDS[i].name} ${error}`, expression, `use ${CRON_FIELDS[i].name} values ${CRON_FIELDS[i].min}-${CRON_FIELDS[i].max} with the wildcards ${CRON_FIELDS[i].wildcards}`));
  });
  const [dayOfMonth, dayOfWeek] = [fields[2], fields[4]];
  if ((dayOfMonth === '?') === (dayOfWeek === '?')) {
    const both = dayOfMonth === '?' ? 'leaves both day-of-month and day-of-week as ?' : `sets both day-of-month (${dayOfMonth}) and day-of-week (${dayOfWeek})`;
    const fixed = [...fields];
    if (dayOfMonth === '?') fixed[2] = '*';
    else if (dayOfWeek === '*') fixed[4] = '?';
    else fixed[2] = '?';
    problems.push(problem(file, field, `${both}; exactly one of them must be ?`, expression, `e.g. cron(${fixed.join(' ')})`));
  }
  return problems;
}

let zones: Set<string> | undefined;

/** IANA time zones Node's Intl knows (canonical names; aliases are accepted through Intl.DateTimeFormat). */
function canonicalZones(): Set<string> {
  zones ??= new Set([...Intl.supportedValuesOf('timeZone'), 'UTC']);
  return zones;
}

/** The schedule's time zone must be an IANA name, spelled as IANA spells it (Europe/Berlin, not europe/berlin). */
export function checkTimeZone(file: string, field: string, timeZone: string): ConfigProblem[] {
  if (isToken(timeZone) || canonicalZones().has(timeZone)) return [];
  let resolved: string | undefined;
  try {
    // Offsets such as +01:00 are not IANA names; newer Node versions accept them here.
    if (!/^[+-]/.test(timeZone)) resolved = new Intl.DateTimeFormat('en-US', { timeZone }).resolvedOptions().timeZone;
  } catch {
    resolved = undefined;
  }
  // An alias (US/Eastern → America/New_York, GMT → UTC) is an IANA name too; the same name in other letter case is not.
  if (resolved && (resolved === timeZone || resolved.toLowerCase() !== timeZone.toLowerCase())) return [];
  if (resolved) return [problem(file, field, 'is not spelled as the IANA time zone database spells it', timeZone, `write ${resolved}`)];
  const guess = didYouMean(closestNames(timeZone, canonicalZones(), 3));
  return [problem(file, field, 'is not an IANA time zone', timeZone, `${guess ? `${guess} Otherwise use` : 'use'} a name such as UTC, Europe/Berlin or America/New_York`)];
}
