package dev.slicefine.api.common;

/**
 * The one check every client-supplied text goes through (names, filters, form fields, file names): no control
 * characters (C0 incl. NUL, CR, LF, TAB; DEL; C1), which PostgreSQL refuses (NUL), logs split on (CR/LF) and
 * terminals interpret. A refusal is a 400 {@code control_characters} naming the field.
 */
public final class TextFields {
    private TextFields() {}

    /** True when {@code value} has no control character. */
    public static boolean clean(CharSequence value) {
        for (int i = 0; i < value.length(); i++) {
            if (Character.isISOControl(value.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    /** {@code value} itself (null passes), or a 400 naming {@code field}. */
    public static String check(String field, String value) {
        if (value != null && !clean(value)) {
            throw ApiException.badRequest("control_characters",
                    field + ": must not contain control characters (NUL, CR, LF, TAB, DEL, ...)");
        }
        return value;
    }
}
