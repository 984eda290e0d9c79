/**
 * Bounded string fields for the REST sources' zod schemas. A value far beyond anything real (a 1 MB safe name; real
 * safe names have at most 28 characters) failed the whole sync deep in the store with "Invalid string length"; it is
 * refused at extraction instead, with a message naming the endpoint and the field, before anything is written.
 */
import { z } from 'zod';

/** Longest identifier or name accepted: ids, logins, safe, group, role and member names, types. */
export const MAX_NAME_LENGTH = 1024;
/** Longest free text accepted: descriptions, distinguished names, URLs, other optional text. */
export const MAX_TEXT_LENGTH = 16_384;

/** A required, non-empty name or id. */
export const nameField = z.string().min(1).max(MAX_NAME_LENGTH);
/** A name or id that may be empty. */
export const shortText = z.string().max(MAX_NAME_LENGTH);
/** Free text. */
export const textField = z.string().max(MAX_TEXT_LENGTH);
