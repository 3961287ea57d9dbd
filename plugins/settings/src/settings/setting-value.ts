/**
 * A setting value typed on a command line: JSON when it parses as JSON (`21`, `true`,
 * `{"rate":21}`, `"021"`), else the text itself (`EUR`), so plain words need no quotes.
 *
 * @example
 * parseSettingValue('{"port":9100}'); // { port: 9100 }
 * parseSettingValue('Thank you!');    // 'Thank you!'
 */
export function parseSettingValue(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
