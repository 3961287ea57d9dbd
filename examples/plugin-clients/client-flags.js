// @ts-check
import { Flags } from '@oclif/core';
import { emailProblem } from './clients-api.js';

/**
 * The flags of a client's fields, shared by `clients add` (where `--name` is required)
 * and `clients edit` (where every field is optional). An email without "@" fails while
 * parsing, so it is a usage error (exit 2) like a missing flag.
 *
 * @example
 * static flags = clientFlags({ nameRequired: true });
 * @param {{ nameRequired: boolean }} options
 */
export function clientFlags({ nameRequired }) {
  return {
    name: nameRequired ? Flags.string({ summary: "The client's name.", required: true }) : Flags.string({ summary: "The client's name." }),
    'tax-id': Flags.string({ summary: 'Tax id.' }),
    email: Flags.string({
      summary: 'Email address.',
      parse: async (email) => {
        const problem = emailProblem(email);
        if (problem !== undefined) throw new Error(problem);
        return email;
      },
    }),
    phone: Flags.string({ summary: 'Phone number.' }),
  };
}

/**
 * The fields given on the command line, as the table's columns; flags left out are not in it.
 *
 * @example
 * clientFields({ phone: '600' }); // { phone: '600' }
 * @param {{ name?: string; 'tax-id'?: string; email?: string; phone?: string }} flags
 * @returns {{ name?: string; tax_id?: string; email?: string; phone?: string }}
 */
export function clientFields(flags) {
  const fields = { name: flags.name, tax_id: flags['tax-id'], email: flags.email, phone: flags.phone };
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined));
}
