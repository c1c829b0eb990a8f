import django.db.models.deletion
import patients.models
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0003_care_unit_phone'),
        ('patients', '0004_remove_patient_mobile_email'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='GuardianContact',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('mobile', models.CharField(blank=True, help_text='Lagras i formatet +46…', max_length=20, verbose_name='mobilnummer')),
                ('email', models.EmailField(blank=True, max_length=254, verbose_name='e-post')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='ändrad')),
                ('care_unit', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='accounts.careunit', verbose_name='vårdenhet')),
                ('guardian', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='contacts', to='patients.guardian', verbose_name='vårdnadshavare')),
                ('updated_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='ändrad av')),
            ],
            options={
                'verbose_name': 'kontaktuppgifter för vårdnadshavare',
                'verbose_name_plural': 'kontaktuppgifter för vårdnadshavare',
                'ordering': ['care_unit'],
                'constraints': [models.UniqueConstraint(fields=('guardian', 'care_unit'), name='patients_guardian_contact_once_per_unit')],
            },
            bases=(patients.models.Reachable, models.Model),
        ),
    ]
