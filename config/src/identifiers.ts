/**
 * What a tenant id may be: it names the tenant in every row, in the device's token and
 * in the cloud's live channel (`equinox:<tenant>`), so no spaces, slashes or quotes.
 *
 * @example
 * TENANT_ID_PATTERN.test('store-1'); // true
 * TENANT_ID_PATTERN.test('a b/c'); // false
 */
export const TENANT_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * What a device id may be: the engine writes it into every clock value (`updated_at`)
 * and compares those as text, so the engine's own rule, 64 characters at most.
 *
 * @example
 * DEVICE_ID_PATTERN.test('till-1'); // true
 */
export const DEVICE_ID_PATTERN = /^[A-Za-z0-9._:-]{1,64}$/;

/**
 * The rule of {@link TENANT_ID_PATTERN} in words, for error messages.
 *
 * @example
 * throw new Error(`--tenant "a b": ${TENANT_ID_RULE}`);
 */
export const TENANT_ID_RULE = 'letters, digits, ".", "_", ":" or "-", 1 to 128 of them';

/**
 * The rule of {@link DEVICE_ID_PATTERN} in words, for error messages.
 *
 * @example
 * throw new Error(`--device "a b": ${DEVICE_ID_RULE}`);
 */
export const DEVICE_ID_RULE = 'letters, digits, ".", "_", ":" or "-", 1 to 64 of them';
