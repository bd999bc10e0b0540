"""Single sign-on with an organisation's own OpenID Connect provider (Authlib's Flask client does the protocol).

- settings.py: an organisation's provider, which email domains it speaks for, and whether it is required;
- secret_box.py: the client secret, encrypted at rest with a key from the settings;
- fetching.py: reading what a provider publishes, within limits (https, public addresses, size, time);
- discovery.py: its discovery document and keys, checked; "test connection", in plain words;
- refusals.py: refused sign-ins, logged, audited (within limits) and listed for the organisation's admins;
- client.py: the Authlib client for a provider (PKCE, state, nonce, ID token checks);
- accounts.py: the person a verified ID token names: found by issuer and subject, linked or created.
"""
