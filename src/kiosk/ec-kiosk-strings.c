/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ec-kiosk-strings"

#include "ec-kiosk-strings.h"

#include "ec-i18n.h"

const char *
ec_kiosk_reader_state_title (EcKioskReaderState state)
{
  switch (state)
    {
    case EC_KIOSK_READER_READY:
      return _("Reader ready");
    case EC_KIOSK_READER_BUSY:
      return _("Reader in use by another program");
    case EC_KIOSK_READER_LOST:
      return _("Reader lost, reconnecting…");
    case EC_KIOSK_READER_NONE:
    default:
      return _("No card reader");
    }
}

const char *
ec_kiosk_reader_state_help (EcKioskReaderState state)
{
  switch (state)
    {
    case EC_KIOSK_READER_READY:
      return NULL;
    case EC_KIOSK_READER_BUSY:
      return _("The Linux pn533 driver or pcscd has taken the reader. Ask staff to install "
               "the eldercard blacklist (see the hardware guide) and unplug and replug the reader.");
    case EC_KIOSK_READER_LOST:
      return _("Check the reader's cable. The kiosk reconnects by itself when the reader answers again.");
    case EC_KIOSK_READER_NONE:
    default:
      return _("Plug the USB card reader in. If it is plugged in, ask staff to check the udev "
               "rules and that the pn533 kernel module is blacklisted (hardware guide). "
               "Meanwhile, search residents by name or phone.");
    }
}

const char *
ec_kiosk_reader_state_icon (EcKioskReaderState state)
{
  switch (state)
    {
    case EC_KIOSK_READER_READY:
      return "emblem-ok-symbolic";
    case EC_KIOSK_READER_LOST:
      return "view-refresh-symbolic";
    case EC_KIOSK_READER_BUSY:
    case EC_KIOSK_READER_NONE:
    default:
      return "dialog-warning-symbolic";
    }
}

const char *
ec_kiosk_problem_title (EcKioskProblem problem)
{
  switch (problem)
    {
    case EC_KIOSK_PROBLEM_NOT_SET_UP:
      return _("Kiosk not set up");
    case EC_KIOSK_PROBLEM_NOT_GENUINE:
      return _("Card not valid");
    case EC_KIOSK_PROBLEM_REVOKED:
      return _("Card revoked");
    case EC_KIOSK_PROBLEM_LOST:
      return _("Card reported lost");
    case EC_KIOSK_PROBLEM_REPLACED:
      return _("Old card: replaced by a newer one");
    case EC_KIOSK_PROBLEM_EXPIRED:
      return _("Card expired");
    case EC_KIOSK_PROBLEM_DAMAGED:
      return _("Card damaged");
    case EC_KIOSK_PROBLEM_UNSUPPORTED:
      return _("Not an eldercard card");
    case EC_KIOSK_PROBLEM_READ_FAILED:
      return _("Card moved away too soon");
    case EC_KIOSK_PROBLEM_NOT_IN_DATABASE:
      return _("Resident not in this kiosk's records");
    case EC_KIOSK_PROBLEM_DATABASE:
      return _("Records cannot be opened");
    case EC_KIOSK_PROBLEM_REMOVED:
      return _("Record removed at the station");
    case EC_KIOSK_PROBLEM_NONE:
    default:
      return "";
    }
}

const char *
ec_kiosk_problem_sentence (EcKioskProblem problem)
{
  switch (problem)
    {
    case EC_KIOSK_PROBLEM_NOT_SET_UP:
      return _("This kiosk has no keys to check cards with, so it cannot tell a genuine card from a forged one.");
    case EC_KIOSK_PROBLEM_NOT_GENUINE:
      return _("This card was not issued by a station this kiosk trusts, or its data was changed. "
               "Nothing on it can be relied on.");
    case EC_KIOSK_PROBLEM_REVOKED:
      return _("The service station has cancelled this card. It may not belong to the person carrying it.");
    case EC_KIOSK_PROBLEM_LOST:
      return _("This card was reported lost. It may not belong to the person carrying it.");
    case EC_KIOSK_PROBLEM_REPLACED:
      return _("The resident has been given a newer card. The data on this old card may be out of date.");
    case EC_KIOSK_PROBLEM_EXPIRED:
      return _("This card is past its expiry date, so its data may be out of date.");
    case EC_KIOSK_PROBLEM_DAMAGED:
      return _("The data on this card cannot be read completely.");
    case EC_KIOSK_PROBLEM_UNSUPPORTED:
      return _("This is some other kind of card (for example a bank or transport card).");
    case EC_KIOSK_PROBLEM_READ_FAILED:
      return _("The card left the reader before it could be read.");
    case EC_KIOSK_PROBLEM_NOT_IN_DATABASE:
      return _("The card is genuine, but this kiosk has no record for this resident. "
               "Below is the short summary stored on the card itself.");
    case EC_KIOSK_PROBLEM_DATABASE:
      return _("The kiosk cannot read its resident records right now.");
    case EC_KIOSK_PROBLEM_REMOVED:
      return _("The card is genuine, but this person's record was removed at the service station. "
               "Below is the short summary stored on the card itself, as it was when the card was written.");
    case EC_KIOSK_PROBLEM_NONE:
    default:
      return "";
    }
}

const char *
ec_kiosk_problem_next_step (EcKioskProblem problem)
{
  switch (problem)
    {
    case EC_KIOSK_PROBLEM_NOT_SET_UP:
      return _("Search residents by name or phone, and ask the service station to install this kiosk's key bundle.");
    case EC_KIOSK_PROBLEM_NOT_GENUINE:
    case EC_KIOSK_PROBLEM_REVOKED:
    case EC_KIOSK_PROBLEM_LOST:
      return _("Identify the person by other means (ask them, neighbours, papers), then search "
               "residents by name or phone. Tell the service station about this card.");
    case EC_KIOSK_PROBLEM_REPLACED:
    case EC_KIOSK_PROBLEM_EXPIRED:
      return _("Search the resident by name or phone to see the current record, and confirm "
               "who the person is by other means.");
    case EC_KIOSK_PROBLEM_DAMAGED:
      return _("Tap the card again and hold it still. If it fails again, search the resident by name or phone.");
    case EC_KIOSK_PROBLEM_UNSUPPORTED:
      return _("Look for the resident's eldercard: a white card with a red band across the top that "
               "says 紧急联络卡 (emergency card). Or search residents by name or phone.");
    case EC_KIOSK_PROBLEM_READ_FAILED:
      return _("Tap the card again and hold it flat on the reader for a second.");
    case EC_KIOSK_PROBLEM_NOT_IN_DATABASE:
      return _("Confirm the person's identity from the photo or by asking. Call the contacts on the "
               "card, and tell the service station so they can update this kiosk.");
    case EC_KIOSK_PROBLEM_DATABASE:
      return _("Call the service station. If the resident's card is at hand, its summary can still be shown.");
    case EC_KIOSK_PROBLEM_REMOVED:
      return _("Confirm who the person is by asking or from papers. Call the contact on the card, "
               "and tell the service station that this card is still in use.");
    case EC_KIOSK_PROBLEM_NONE:
    default:
      return "";
    }
}

const char *
ec_kiosk_problem_icon (EcKioskProblem problem)
{
  switch (problem)
    {
    case EC_KIOSK_PROBLEM_NOT_SET_UP:
      return "dialog-warning-symbolic";
    case EC_KIOSK_PROBLEM_NOT_GENUINE:
    case EC_KIOSK_PROBLEM_REVOKED:
    case EC_KIOSK_PROBLEM_LOST:
      return "action-unavailable-symbolic";
    case EC_KIOSK_PROBLEM_REPLACED:
    case EC_KIOSK_PROBLEM_EXPIRED:
      return "document-open-recent-symbolic";
    case EC_KIOSK_PROBLEM_UNSUPPORTED:
      return "dialog-question-symbolic";
    case EC_KIOSK_PROBLEM_READ_FAILED:
      return "view-refresh-symbolic";
    case EC_KIOSK_PROBLEM_DAMAGED:
    case EC_KIOSK_PROBLEM_NOT_IN_DATABASE:
    case EC_KIOSK_PROBLEM_DATABASE:
    case EC_KIOSK_PROBLEM_REMOVED:
    case EC_KIOSK_PROBLEM_NONE:
    default:
      return "dialog-warning-symbolic";
    }
}

const char *
ec_kiosk_role_label (EcRole role)
{
  switch (role)
    {
    case EC_ROLE_NURSE:
      return _("Nurse");
    case EC_ROLE_STAFF:
      return _("Station staff");
    case EC_ROLE_ADMIN:
      return _("Administrator");
    case EC_ROLE_RESPONDER:
    default:
      return _("Responder");
    }
}
