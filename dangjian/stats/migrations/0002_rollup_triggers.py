"""Fill 入党时间 (Person.joined_on) for people admitted before it existed — the S15 meeting date of an approved
dossier, else the member roster's 入党时间 (LedgerNote) — then install the triggers on people_person that keep
stats_rollup current in the same transaction as every write (dangjian/stats/rollup.py holds the SQL for
SQLite and PostgreSQL), and build the roll-up once."""

from django.db import migrations

BACKFILL = [
    # 细则: admission = the branch meeting (S15) of a dossier the committee approved (status probationary/full).
    """UPDATE people_person SET joined_on = (
         SELECT MAX(r.date) FROM development_steprecord r JOIN development_dossier d ON d.id = r.dossier_id
         WHERE d.person_id = people_person.id AND r.step = 'S15')
       WHERE joined_on IS NULL AND party_status IN ('probationary', 'full_member')""",
    """UPDATE people_person SET joined_on = (
         SELECT n.joined_on FROM ledgers_ledgernote n WHERE n.person_id = people_person.id)
       WHERE joined_on IS NULL AND party_status IN ('probationary', 'full_member')""",
]


def forwards(apps, schema_editor):
    from dangjian.stats import rollup

    with schema_editor.connection.cursor() as cur:
        for sql in BACKFILL:
            cur.execute(sql)
    rollup.install_triggers(apps, schema_editor)
    with schema_editor.connection.cursor() as cur:
        cur.execute("DELETE FROM stats_rollup")
        cur.execute("INSERT INTO stats_rollup (org_path, party_status, dim, val, n)\n"
                    + rollup.fresh_sql(schema_editor.connection.vendor, unit=True))


def backwards(apps, schema_editor):
    from dangjian.stats import rollup

    rollup.remove_triggers(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("stats", "0001_initial"), ("people", "0002_person_joined_on"),
                    ("development", "0002_dossier_expected_departure_dossier_tier"), ("ledgers", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
