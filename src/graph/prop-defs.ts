/** Shorthands the schema tables use to describe a property. */
import type { PropDef, PropType } from './kinds.js';

const prop =
  (type: PropType) =>
  (doc: string, extra: Partial<Omit<PropDef, 'type' | 'doc'>> = {}): PropDef => ({ type, doc, ...extra });
export const str = prop('string');
export const bool = prop('boolean');
export const int = prop('integer');
export const datetime = prop('datetime');
export const strList = prop('string[]');
export const json = prop('json');
export const oneOf = (doc: string, values: readonly string[], extra: Partial<PropDef> = {}): PropDef => ({
  type: 'string',
  doc,
  values,
  ...extra,
});
