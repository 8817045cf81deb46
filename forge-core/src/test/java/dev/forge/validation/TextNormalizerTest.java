package dev.forge.validation;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class TextNormalizerTest {

    @ParameterizedTest
    @CsvSource({
        "%41%42, AB",
        "%e2%82%ac, €",
        "%F0%9F%9A%80, 🚀",
        "%uD83D%uDE80, 🚀",
        "50% off, 50% off",
        "%%41, %A",
        "a%2, a%2",
        "%u12, %u12"
    })
    void percentDecodeOnce_wellFormed_decodes(String encoded, String decoded) {
        TextNormalizer.Result result = TextNormalizer.percentDecodeOnce(encoded);
        assertThat(result.text()).isEqualTo(decoded);
        assertThat(result.malformed()).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "%C0%AE",        // overlong '.'
        "%E0%80%AF",     // overlong '/'
        "%ED%A0%80",     // an encoded surrogate
        "%F4%90%80%80",  // above U+10FFFF
        "%C3",           // truncated sequence
        "%80",           // stray continuation byte
        "%FF"
    })
    void percentDecodeOnce_notUtf8_isMalformed(String encoded) {
        assertThat(TextNormalizer.percentDecodeOnce(encoded).malformed()).isTrue();
        assertThat(UnsafeText.detect(encoded)).contains(UnsafeText.Threat.ENCODING);
    }

    @ParameterizedTest
    @CsvSource({
        "％２ｅ％２ｅ, ..",      // fullwidth percent escapes fold, then decode
        "%EF%BC%8E, .",          // an encoded fullwidth dot decodes, then folds
        "ﬁle, file"              // a ligature folds
    })
    void normalize_foldsBeforeAndAfterDecoding(String raw, String normalized) {
        assertThat(UnsafeText.normalize(raw)).isEqualTo(normalized);
    }
}
