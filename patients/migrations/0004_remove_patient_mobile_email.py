from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("patients", "0003_copy_contacts"),
    ]

    operations = [
        migrations.RemoveField(model_name="patient", name="email"),
        migrations.RemoveField(model_name="patient", name="mobile"),
    ]
