package org.stasis.barrier;

import com.google.common.collect.ImmutableMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One protocol message: a verb and ordered key=value fields. Immutable.
 *
 * <p>Field order is kept because humans read these frames in logs and traces; the protocol
 * itself never depends on it.
 */
public record Message(String verb, Map<String, String> fields) {

    public Message {
        Objects.requireNonNull(verb, "verb");
        Objects.requireNonNull(fields, "fields");
        // copyOf rejects null keys and values, so every field is a real string.
        fields = ImmutableMap.copyOf(fields);
    }

    public static Builder builder(String verb) {
        return new Builder(verb);
    }

    /** The value of {@code key}, or null if the message has no such field. */
    public String get(String key) {
        return fields.get(key);
    }

    public String get(String key, String defaultValue) {
        String value = fields.get(key);
        return value == null ? defaultValue : value;
    }

    public boolean isOk() {
        return "1".equals(get("ok"));
    }

    /** Redacts the job secret: messages end up in logs and assertion failures. */
    @Override
    public String toString() {
        StringBuilder text = new StringBuilder(verb);
        fields.forEach((k, v) -> text.append(' ').append(k).append('=').append(k.equals("secret") ? "***" : v));
        return text.toString();
    }

    /** Collects fields in insertion order; putting a key again replaces its value in place. */
    public static final class Builder {
        private final String verb;
        private final Map<String, String> fields = new LinkedHashMap<>();

        private Builder(String verb) {
            this.verb = Objects.requireNonNull(verb, "verb");
        }

        /** Adds {@code key=String.valueOf(value)}; a null value leaves the field out. */
        public Builder put(String key, Object value) {
            Objects.requireNonNull(key, "key");
            if (value == null) {
                fields.remove(key);
            } else {
                fields.put(key, String.valueOf(value));
            }
            return this;
        }

        /** Adds every field of {@code other}, in its order. */
        public Builder putAll(Map<String, String> other) {
            other.forEach(this::put);
            return this;
        }

        public Message build() {
            return new Message(verb, fields);
        }
    }
}
