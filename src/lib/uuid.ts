const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether a value is a uuid in its text form: what a `::uuid` cast or a uuid column accepts. */
export const isUuid = (value: unknown): value is string => typeof value === 'string' && UUID.test(value);
