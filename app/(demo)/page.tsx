import { HomeContent } from './_components/HomeContent';
import { serverShownUser } from './_components/server-user';

/** The home page: what the kit is for a visitor, the way on for a signed-in user. */
export default async function HomePage({
  searchParams,
}: {
  searchParams: Promise<{ account?: string | string[] }>;
}) {
  // `?account=deleted`: where the account page sends the browser after deleting the account.
  const { account } = await searchParams;
  // The same cached read as the layout's: no second query.
  return <HomeContent serverUser={await serverShownUser()} deleted={account === 'deleted'} />;
}
