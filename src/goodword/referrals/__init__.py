"""Referrals: programs, codes and links, invitations, clicks and attribution, the fraud guard, reminders."""
