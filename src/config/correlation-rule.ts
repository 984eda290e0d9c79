/** A custom identity-correlation rule from the configuration (src/correlation/correlate.ts applies it). */
export interface CustomRule {
  /** Shown as match_rule / correlation_rule. */
  name: string;
  directory: 'entra' | 'activedirectory';
  kind: 'user' | 'group';
  /** Property of the directory node (schema name, e.g. mail, on_premises_sam_account_name, user_principal_name). */
  directoryProperty: string;
  /** Property of the CyberArk node (e.g. email, login_name, name, display_name). */
  cyberarkProperty: string;
  /** How values are compared: case-insensitively (default), exactly, or ignoring the domain part after '@'. */
  compare?: 'ignore-case' | 'exact' | 'ignore-domain';
}
