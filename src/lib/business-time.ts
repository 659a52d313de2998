/**
 * Where the chain's stores are: a day (a compliance task's period, a daily statistic, an export's dates) is a
 * calendar day on the wall clock there. One zone for the whole chain, as every store is in Brazil's official time.
 */
export const BUSINESS_TIME_ZONE = 'America/Sao_Paulo';

const dayFormat = new Intl.DateTimeFormat('en-CA', { timeZone: BUSINESS_TIME_ZONE, year: 'numeric', month: '2-digit', day: '2-digit' });

/** The stores' calendar day of an instant, as YYYY-MM-DD (today by default). */
export const businessDay = (at: Date = new Date()) => dayFormat.format(at);
