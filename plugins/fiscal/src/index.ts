/** @equinox-sync/plugin-fiscal — append-only, hash-chained fiscal documents. */
export { fiscalPlugin, activate, serverSql } from './fiscal-plugin.js';

export {
  FiscalApi,
  type CloudBreakReason,
  type CorrectInvoiceInput,
  type FiscalBreak,
  type FiscalVerification,
  type IssueInvoiceInput,
} from './api/fiscal-api.js';
export { FiscalError } from './api/fiscal-error.js';
export { describeBreak, describeVerification, invoiceReceipt, type InvoiceReceipt } from './api/fiscal-report.js';
export { FiscalService, type FiscalServiceDeps, type FiscalStore } from './api/fiscal-service.js';
export { verifyFiscalChains, type FiscalVerificationRequest } from './api/fiscal-verification.js';
export { compareWithCloud, type CloudComparison } from './api/cloud-comparison.js';
export { readCloudChains, type CloudChainHead, type CloudChains, type CloudRpc } from './api/cloud-chains.js';
export { CLOUD_MARKS_FILE, CloudMarks, marksOf, type CloudMark } from './api/cloud-marks.js';
export { INSTALLATION_KEY_FILE, InstallationKeyFile } from './api/installation-key-file.js';
export { INVOICES_TABLE, inChainOrder, toFiscalRecord } from './api/fiscal-rows.js';

export type { FiscalRecord, FiscalRecordInput, RecordKind } from './chain/fiscal-record.js';
export { FiscalInputError } from './chain/fiscal-input-error.js';
export { canonicalAmount, isCanonicalAmount, negateAmount } from './chain/decimal-amount.js';
export { amountProblem, MAX_AMOUNT_DIGITS } from './chain/amount-rules.js';
export { isGeneratedAt, isIsoDate, isoWithOffset, spanishDate } from './chain/fiscal-dates.js';
export {
  cancellationPreimage,
  huella,
  issuePreimage,
  type CancellationHuellaFields,
  type IssueHuellaFields,
} from './chain/huella.js';
export {
  INVOICE_TYPES,
  MAX_INVOICE_NUMBER_LENGTH,
  isSeries,
  normalizeRecordInput,
  storedFieldProblem,
  type FieldProblem,
} from './chain/record-fields.js';
export { numSerieFactura, recordPreimage, type PreimageColumns } from './chain/record-preimage.js';
export { canonicalJson } from './chain/canonical-json.js';
export {
  generateInstallationKeyPair,
  installationKeyPair,
  isPublicKey,
  privateKeyObject,
  publicKeyObject,
  type InstallationKeyPair,
} from './chain/installation-keys.js';
export { signaturePayload, signRecord, verifyRecordSignature } from './chain/record-signature.js';
export { nextLink, type PreviousLink } from './chain/next-link.js';
export { nextInvoiceNumber } from './chain/next-invoice-number.js';
export type { ChainBreak, ChainBreakReason, ChainVerification } from './chain/chain-break.js';
export { publicKeysFromChains, verifyChains, type PublicKeys } from './chain/verify-chains.js';
export { FISCAL_SERVER_SQL, fiscalServerSql, type FiscalServerSqlOptions } from './chain/fiscal-server-sql.js';
export { FISCAL_SCHEMA } from './chain/fiscal-schema.js';
export { CHAIN_EXPORT_MAX_LIMIT, chainFunctionNames } from './chain/chain-export-sql.js';
