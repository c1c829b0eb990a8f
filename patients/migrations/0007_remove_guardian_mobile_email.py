from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("patients", "0006_copy_guardian_contacts"),
    ]

    operations = [
        migrations.RemoveField(model_name="guardian", name="email"),
        migrations.RemoveField(model_name="guardian", name="mobile"),
    ]
