package dev.forge.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.forge.InfrastructureException;
import java.sql.BatchUpdateException;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;

/** The one translation of SQL failures; no database needed. */
class SqlTest {

    @Test
    void translate_aFailedBatch_isReportedByTheServersError_withoutTheEntrysBoundValues() {
        BatchUpdateException batch = new BatchUpdateException("Batch entry 3 UPDATE tasks SET goal = ('secret goal')"
                + " WHERE id = ('t1') was aborted: ERROR: deadlock detected", "40P01", new int[0]);
        SQLException server = new SQLException("ERROR: deadlock detected", "40P01");
        batch.setNextException(server);

        RuntimeException translated = Sql.translate("update tasks", batch);

        assertThat(translated).isInstanceOf(InfrastructureException.class)
                .hasMessage("PostgreSQL: update tasks failed (SQLState 40P01)");
        assertThat(translated.getCause()).isSameAs(server);
    }

    @Test
    void translate_aBatchEntryTheServerRefused_isStillTheCallersMisuse() {
        BatchUpdateException batch = new BatchUpdateException("Batch entry 0 ... was aborted", "22021", new int[0]);
        batch.setNextException(new SQLException("ERROR: invalid byte sequence", "22021"));

        assertThat(Sql.translate("update tasks", batch)).isInstanceOf(IllegalArgumentException.class);
    }
}
